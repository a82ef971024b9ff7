using System.Globalization;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.Interop;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// train-cam: runs the frozen backbone over every image once (scale 1 and its flip; cached under features/), then trains
/// the bias-free multi-label head on the pooled features and the image labels. The held-out mAP is measured by 5-fold
/// cross-validation before the final head is trained on all images.
/// </summary>
internal static class TrainCamStep
{
    public static void Run(PipelineContext ctx)
    {
        var names = ctx.Dataset.Names;
        int classCount = ctx.Dataset.ClassNames.Count;
        var pooled = new List<float[]>(names.Count);
        var labels = new List<float[]>(names.Count);
        using (var progress = new Progress("features", names.Count))
        {
            foreach (var name in names)
            {
                string path = ctx.Folder.Features(name);
                bool cached = RunFolder.TryReuse(path, MapFiles.ReadFeatures, out var features);
                if (!cached)
                {
                    ExtractFeatures(ctx, name, path);
                    features = MapFiles.ReadFeatures(path);
                }
                var (f, _, d, h, w, _, _) = features;
                pooled.Add(GlobalAveragePool.Pool(f, d, h * w));
                var multiHot = new float[classCount];
                foreach (int c in ctx.Dataset.Classes(name)) multiHot[c] = 1;
                labels.Add(multiHot);
                progress.Tick(skipped: cached);
            }
        }
        if (RunFolder.IsReusable(ctx.Folder.Head, ReadHead) & RunFolder.IsReusable(ctx.Folder.Classifier, ReadMap))
        {
            Console.WriteLine($"train-cam: {ctx.Folder.Head} exists (resumed run); not retrained.");
            return;
        }
        var options = new MultiLabelHeadOptions { Epochs = ctx.Options.HeadEpochs, Seed = ctx.Options.Seed };
        var trainer = new MultiLabelHeadTrainer(options, ctx.TorchDevice);
        double map = double.NaN;
        IReadOnlyList<double> folds = Array.Empty<double>();
        if (names.Count >= 10)
        {
            var cv = trainer.CrossValidate(pooled, labels, folds: 5);
            map = cv.MeanMap;
            folds = cv.Folds.Select(f => f.Map).ToList();
            Console.WriteLine($"train-cam: 5-fold held-out mAP {map:F3} ({string.Join(", ", folds.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))})");
        }
        var result = trainer.Train(pooled, labels);
        Console.WriteLine($"train-cam: head trained on {names.Count} images on {ctx.TorchDevice.type}, loss {result.EpochLosses[0]:F4} -> {result.EpochLosses[^1]:F4}");
        Npz.Write(ctx.Folder.Head, new KeyValuePair<string, NpyArray>[]
        {
            new("weights", NpyArray.Create(result.Head.Weights, result.Head.ClassCount, result.Head.FeatureDim)),
            new("class_names", NpyArray.Create(ctx.Dataset.ClassNames.ToArray(), ctx.Dataset.ClassNames.Count)),
        });
        RunFolder.WriteJson(ctx.Folder.Classifier, new { mAP = map, folds, images = names.Count, epochs = options.Epochs, losses = result.EpochLosses });
    }

    public static ClassifierHead LoadHead(RunFolder folder)
    {
        if (!File.Exists(folder.Head)) throw new CliException($"{folder.Head} is missing: run train-cam first.");
        return ReadHead(folder.Head);
    }

    /// <summary>Reads head.npz whole: a [C, D] weight matrix of finite values.</summary>
    private static ClassifierHead ReadHead(string path)
    {
        var arrays = Npz.Read(path);
        if (!arrays.TryGetValue("weights", out var w) || w.Shape.Count != 2)
            throw new InvalidDataException($"'{path}' has no [classes, features] array 'weights'.");
        var values = w.AsFloat32();
        if (values.Any(v => !float.IsFinite(v))) throw new InvalidDataException($"'{path}': 'weights' holds NaN or infinite values.");
        return new ClassifierHead(w.Shape[0], w.Shape[1], values);
    }

    public static double LoadMap(RunFolder folder) => File.Exists(folder.Classifier) ? ReadMap(folder.Classifier) : double.NaN;

    /// <summary>The held-out mAP of classifier.json (NaN when too few images were cross-validated); throws when it is not whole.</summary>
    private static double ReadMap(string path)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("mAP") is { ValueKind: System.Text.Json.JsonValueKind.Number } v ? v.GetDouble() : double.NaN;
    }

    private static void ExtractFeatures(PipelineContext ctx, string name, string path)
    {
        var image = ctx.InputImage(name, out int height, out int width);
        var batch = new[] { image, image.FlipHorizontal() };
        var maps = ctx.Backbone.ExtractBatch(batch, out int h, out int w);
        MapFiles.WriteFeatures(path, maps[0], maps[1], ctx.Backbone.FeatureDim, h, w, height, width);
    }
}
