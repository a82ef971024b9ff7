// usage: LpCam.ModelRunner MODEL.zip INPUT.idv OUTPUT.idv
// Loads MODEL.zip with plain mlContext.Model.Load, transforms INPUT.idv (ML.NET binary format) and saves the result
// as OUTPUT.idv, leaving out image columns (they have no binary form). Prints the loaded transformer types.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: LpCam.ModelRunner MODEL.zip INPUT.idv OUTPUT.idv");
    return 2;
}
var ml = new MLContext(seed: 0);
var model = ml.Model.Load(args[0], out _);
if (model is TransformerChain<ITransformer> chain)
    foreach (var t in chain) Console.WriteLine($"loaded: {t.GetType().FullName}");
else
    Console.WriteLine($"loaded: {model.GetType().FullName}");
var input = ml.Data.LoadFromBinary(args[1]);
var output = model.Transform(input);
var keep = output.Schema.Where(c => !c.IsHidden && c.Type is not ImageDataViewType).Select(c => c.Name).ToArray();
var selected = ml.Transforms.SelectColumns(keep).Fit(output).Transform(output);
using (var stream = File.Create(args[2]))
    ml.Data.SaveAsBinary(selected, stream, keepHidden: false);
Console.WriteLine($"rows: {selected.GetRowCount() ?? -1}, columns: {string.Join(", ", keep)}");
return 0;
