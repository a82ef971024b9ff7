using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Engine.LpCam;
using static TorchSharp.torch;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// make-cam and make-lpcam: the multi-scale + flip maps of every image's classes at stride 4 of the original size
/// (cam/, lpcam/ and lpcam_f/), from the features train-cam cached for every scale (the backbone does not run again),
/// on --workers threads. A re-run skips images whose map file exists.
/// </summary>
internal static class MakeMapsStep
{
    public static void MakeCam(PipelineContext ctx)
    {
        var head = TrainCamStep.LoadHead(ctx.Folder);
        using var cam = ClassActivationMap.FromWeights(head.Weights, head.ClassCount, head.FeatureDim);
        Run(ctx, "make-cam", new (string, ActivationMapMethod)[] { ("cam", cam) });
    }

    public static void MakeLpCam(PipelineContext ctx)
    {
        if (!File.Exists(ctx.Folder.Prototypes)) throw new CliException($"{ctx.Folder.Prototypes} is missing: run fit-prototypes first.");
        var set = PrototypeNpz.Read(ctx.Folder.Prototypes);
        using var lpcam = new LocalPrototypeMap(set);
        using var lpcamF = new LocalPrototypeMap(set, foregroundOnly: true);
        Run(ctx, "make-lpcam", new (string, ActivationMapMethod)[] { ("lpcam", lpcam), ("lpcam_f", lpcamF) });
    }

    private static void Run(PipelineContext ctx, string label, IReadOnlyList<(string Name, ActivationMapMethod Method)> methods)
    {
        var names = ctx.Dataset.Names;
        using var progress = new Progress(label, names.Count);
        ParallelImages.For(names.Count, ctx.Options.Workers, i =>
        {
            string name = names[i];
            // Every file is checked (not only up to the first damaged one), so each damaged file is named.
            if (methods.Select(m => RunFolder.IsReusable(ctx.Folder.Maps(m.Name, name), MapFiles.ReadMaps)).ToList().All(ok => ok)) { progress.Tick(skipped: true); return; }
            var classes = ctx.Dataset.Classes(name);
            using var scope = NewDisposeScope();
            using var features = Features(ctx, name, out int height, out int width);
            var (h4, w4) = InferenceScales.Stride4Size(height, width);
            foreach (var (method, map) in methods)
            {
                float[] values = classes.Count == 0 ? Array.Empty<float>() : map.Compute(features.Scales, h4, w4, classes).data<float>().ToArray();
                MapFiles.WriteMaps(ctx.Folder.Maps(method, name), classes, values, h4, w4, height, width);
            }
            progress.Tick();
        });
    }

    /// <summary>The features of every --scales scale (and flip) from the image's cached file: the backbone never runs here.</summary>
    private static MultiScaleFeatures Features(PipelineContext ctx, string name, out int height, out int width)
    {
        string path = ctx.Folder.Features(name);
        var scales = ctx.Options.Scales;
        var (maps, d, fullHeight, fullWidth) = FeatureFiles.Read(path, scales.Scales, scales.Flip);
        (height, width) = (fullHeight, fullWidth);
        return MultiScaleFeatures.FromCached(maps.Select(m => (tensor(m.F, new long[] { 1, d, m.H, m.W }),
            m.FFlip is null ? null : tensor(m.FFlip, new long[] { 1, d, m.H, m.W }))).ToList());
    }
}
