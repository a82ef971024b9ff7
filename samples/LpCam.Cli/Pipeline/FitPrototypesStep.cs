using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Engine.Prototypes;
using static TorchSharp.torch;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// fit-prototypes: streams every image's scale-1 features (the first block of its packed features) and its CAM (stride 4, resized to the feature grid by nearest
/// neighbour) into the bounded per-class samples (keys only; rows are read back per class), clusters them and selects class and context prototypes with the head.
/// Writes prototypes.npz (docs/interchange.md) and a per-class report.
/// </summary>
internal static class FitPrototypesStep
{
    public static void Run(PipelineContext ctx)
    {
        if (RunFolder.IsReusable(ctx.Folder.Prototypes, PrototypeNpz.Read) && RunFolder.IsReusable(ctx.Folder.PrototypeReport, p => System.Text.Json.JsonDocument.Parse(File.ReadAllText(p)).RootElement.GetArrayLength()))
        {
            Console.WriteLine($"fit-prototypes: {ctx.Folder.Prototypes} exists (resumed run); not refitted.");
            return;
        }
        var head = TrainCamStep.LoadHead(ctx.Folder);
        // Deferred rows: the samples hold (image, position) keys, and each class's rows are read back from features/ when it
        // is clustered, so memory does not grow with the number of images (the prototypes are the same).
        // Classes are clustered on --workers threads with one TorchSharp thread each: the same prototypes for any count.
        var fitter = new PrototypeFitter(head.ClassCount, ctx.Options.Fitting with { Workers = ctx.Options.Workers }, deferRows: true);
        var names = ctx.Dataset.Names;
        using (var progress = new Progress("fit-prototypes", names.Count))
        {
            // Files are read on --workers threads; the sampler takes the images in dataset order, so the prototypes do not
            // depend on the worker count.
            ParallelImages.ForEachOrdered(names.Count, ctx.Options.Workers, i =>
            {
                var (keys, maps, h4, w4, _, _) = MapFiles.ReadMaps(ctx.Folder.Maps("cam", names[i]));
                if (keys.Length == 0) return default((int[], float[], int, int, (float[], int, int), int)?);
                var features = ctx.ReadFeatures(ctx.Folder.Features(names[i]));
                return (keys, maps, h4, w4, features.ScaleOne, features.D);
            }, (i, item) =>
            {
                if (item is var (keys, maps, h4, w4, (f, h, w), d))
                {
                    using var scope = NewDisposeScope();
                    fitter.Add(tensor(f, new long[] { d, h, w }), tensor(maps, new long[] { keys.Length, h4, w4 }), keys, imageKey: i);
                }
                progress.Tick();
            });
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        PrototypeFitResult result;
        using (ParallelImages.SingleTorchThread())
        using (var weights = tensor(head.Weights, new long[] { head.ClassCount, head.FeatureDim }))
            result = fitter.Fit(weights, (int i, ref float[] buffer) =>
            {
                var (d, h, w) = FeatureFiles.ReadScale1(ctx.Folder.Features(names[i]), ref buffer);
                return d * h * w;
            });
        Console.WriteLine($"fit-prototypes: clustered {head.ClassCount} classes in {sw.Elapsed.TotalSeconds:F1} s");
        PrototypeNpz.Write(ctx.Folder.Prototypes, result.Prototypes, ctx.Dataset.ClassNames);
        RunFolder.WriteJson(ctx.Folder.PrototypeReport, result.Reports.Select(r => new
        {
            @class = ctx.Dataset.ClassNames[r.ClassIndex],
            images = r.Images,
            report = r,
        }));
        foreach (var r in result.Reports)
        {
            var p = result.Prototypes.Classes[r.ClassIndex];
            Console.WriteLine($"  {ctx.Dataset.ClassNames[r.ClassIndex],-14} class prototypes {p.ClassCentres.Length,2}, context prototypes {p.ContextCentres.Length,2}" +
                (r.ClassifierFallback ? $"  (no foreground feature in {r.Images} image(s): classifier direction used)" : r.Selection.FallbackUsed ? "  (no centre passed mu_f: best centre kept)" : ""));
        }
    }
}
