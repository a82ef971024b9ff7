// The package consumer: fit the LPCAM pipeline on a few VOC images, save the model, load it in a fresh MLContext and
// segment one image with a PredictionEngine. Arguments: VOC_DIR IMAGES MODEL_ZIP. Prints "consumer ok" when every step
// worked; exits non-zero otherwise.
using LpCam.MLNet.Data;
using LpCam.MLNet.Images;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

string voc = args[0];
int count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
string zip = args[2];
const int Size = 224;

var dataset = VocDataset.Open(voc);
var classes = dataset.ClassNames;
var rows = dataset.Samples.Take(count).Select(s => new Row { ImagePath = s.ImagePath!, Label = s.MultiHot(classes.Count), ImageSize = ImageCanvas.ImageSize(s.ImagePath!) }).ToList();
var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(rows);
var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
    .Append(ml.Transforms.ResizeImages("Image", Size, Size, resizing: ImageResizingEstimator.ResizingKind.IsoPad))
    .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: false))
    .Append(ml.LpCam().CamFeaturizer(labelColumnName: "Label", imageSizeColumnName: "ImageSize", classNames: classes))
    .Append(ml.LpCam().LocalPrototypes())
    .Append(ml.LpCam().SeedMasks(mapsColumnName: "LpCam"));
var model = pipeline.Fit(data);
ml.Model.Save(model, data.Schema, zip);
Console.WriteLine($"fitted on {rows.Count} images, saved {new FileInfo(zip).Length} bytes");

var fresh = new MLContext();
var loaded = fresh.Model.Load(zip, out _);
var engine = fresh.Model.CreatePredictionEngine<Row, Prediction>(loaded);
var prediction = engine.Predict(rows[0]);
int labelled = prediction.SeedMask.Count(v => v > 0 && v != 255);
var expected = rows[0].Label.Select((v, c) => (v, c)).Where(t => t.v > 0).Select(t => t.c + 1).ToHashSet();
int mapPixels = (int)(prediction.MapSize[0] * prediction.MapSize[1]);
if (prediction.SeedMask.Length != mapPixels || labelled == 0 || prediction.SeedMask.Any(v => v != 0 && !expected.Contains(v)))
{
    Console.Error.WriteLine($"consumer failed: seed mask of {prediction.SeedMask.Length} pixels, {labelled} labelled, labels {string.Join(",", prediction.SeedMask.Distinct())}");
    return 1;
}
Console.WriteLine($"{Path.GetFileName(rows[0].ImagePath)}: {labelled} of {mapPixels} stride-4 pixels seeded with its classes {string.Join(", ", expected.Select(c => classes[c - 1]))}");
Console.WriteLine("consumer ok");
return 0;

/// <summary>One image: its file and its image-level labels.</summary>
internal sealed class Row
{
    public string ImagePath { get; set; } = "";
    [VectorType(20)] public float[] Label { get; set; } = Array.Empty<float>();
    [VectorType(2)] public float[] ImageSize { get; set; } = Array.Empty<float>();
}

/// <summary>The seed mask of one image.</summary>
internal sealed class Prediction
{
    [VectorType(1, 2)] public float[] MapSize { get; set; } = Array.Empty<float>();
    public byte[] SeedMask { get; set; } = Array.Empty<byte>();
    private const int Size = 224;
}
