using System.Globalization;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Estimators;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// train-cam: runs the frozen backbone over every image once per inference scale and flip (cached under features/, see
/// <see cref="FeatureExtraction"/>), then trains the bias-free multi-label head on the pooled scale-1 features and the
/// image labels. The held-out mAP is measured by 5-fold cross-validation before the final head is trained on all images.
/// </summary>
internal static class TrainCamStep
{
    public static void Run(PipelineContext ctx)
    {
        var names = ctx.Dataset.Names;
        int classCount = ctx.Dataset.ClassNames.Count;
        var pooled = FeatureExtraction.Run(ctx, (f, d, positions) => GlobalAveragePool.Pool(f, d, positions), out var backboneTime);
        ctx.Timings.Backbone = backboneTime;
        var labels = new List<float[]>(names.Count);
        foreach (var name in names)
        {
            var multiHot = new float[classCount];
            foreach (int c in ctx.Dataset.Classes(name)) multiHot[c] = 1;
            labels.Add(multiHot);
        }
        if (RunFolder.IsReusable(ctx.Folder.Head, ReadHead) & RunFolder.IsReusable(ctx.Folder.Classifier, ReadMap))
        {
            Console.WriteLine($"train-cam: {ctx.Folder.Head} exists (resumed run); not retrained.");
            return;
        }
        var own = ctx.Options.HeadSource == CamHeadSource.Train ? null : ctx.Backbone.Head;
        if (ctx.Options.HeadSource == CamHeadSource.Backbone && own is null)
            throw new CliException($"option --head backbone: the backbone '{ctx.Backbone.Name}' carries no classifier head; give one written by lpcam fine-tune, or use --head train.");
        if (own is not null)
        {
            if (own.ClassCount != classCount)
                throw new CliException($"the backbone '{ctx.Backbone.Name}' carries a head of {own.ClassCount} classes, but the dataset has {classCount}; fine-tune on this dataset, or use --head train.");
            Console.WriteLine($"train-cam: the CAM head is the backbone's own (fine-tuned with it; --head {ctx.Options.HeadSource.ToString().ToLowerInvariant()}); no head is trained.");
            WriteHead(ctx, own.Weights, own.ClassCount, own.FeatureDim);
            RunFolder.WriteJson(ctx.Folder.Classifier, new { source = "backbone", mAP = double.NaN, images = names.Count }); // no held-out mAP: the head saw every image
            return;
        }
        var options = new MultiLabelHeadOptions { Epochs = ctx.Options.HeadEpochs, Seed = ctx.Options.Seed };
        var trainer = new MultiLabelHeadTrainer(options, ctx.TorchDevice);
        double map = double.NaN;
        IReadOnlyList<double> folds = Array.Empty<double>();
        HeadTrainingResult result;
        // The 5 folds and the final head train on --workers threads, one TorchSharp thread each: the same for any count.
        using (ParallelImages.SingleTorchThread())
        {
            if (names.Count >= 10)
            {
                var (cv, final) = trainer.CrossValidateAndTrain(pooled, labels, folds: 5, ctx.Options.Workers);
                map = cv.MeanMap;
                folds = cv.Folds.Select(f => f.Map).ToList();
                Console.WriteLine($"train-cam: 5-fold held-out mAP {map:F3} ({string.Join(", ", folds.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))})");
                result = final;
            }
            else result = trainer.Train(pooled, labels);
        }
        Console.WriteLine($"train-cam: head trained on {names.Count} images on {ctx.TorchDevice.type}, loss {result.EpochLosses[0]:F4} -> {result.EpochLosses[^1]:F4}");
        WriteHead(ctx, result.Head.Weights, result.Head.ClassCount, result.Head.FeatureDim);
        RunFolder.WriteJson(ctx.Folder.Classifier, new { source = "trained", mAP = map, folds, images = names.Count, epochs = options.Epochs, losses = result.EpochLosses });
    }

    private static void WriteHead(PipelineContext ctx, float[] weights, int classes, int dim) =>
        Npz.Write(ctx.Folder.Head, new KeyValuePair<string, NpyArray>[]
        {
            new("weights", NpyArray.Create(weights, classes, dim)),
            new("class_names", NpyArray.Create(ctx.Dataset.ClassNames.ToArray(), ctx.Dataset.ClassNames.Count)),
        });

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
}
