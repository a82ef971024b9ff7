using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Onnx;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// make-cam and make-lpcam: the multi-scale + flip maps of every image's classes at stride 4 of the original size
/// (cam/, lpcam/ and lpcam_f/), from the features train-cam cached for every scale (the backbone does not run again), by
/// the graphs the ML.NET components compile (<see cref="PackedMapMaker"/>), on --workers threads. A re-run skips images
/// whose map file exists.
/// </summary>
internal static class MakeMapsStep
{
    public static void MakeCam(PipelineContext ctx)
    {
        var head = TrainCamStep.LoadHead(ctx.Folder);
        using var cam = PackedMapMaker.Cam(head, ctx.Layout);
        Run(ctx, "make-cam", [("cam", cam)]);
    }

    public static void MakeLpCam(PipelineContext ctx)
    {
        if (!File.Exists(ctx.Folder.Prototypes)) throw new CliException($"{ctx.Folder.Prototypes} is missing: run fit-prototypes first.");
        var set = PrototypeNpz.Read(ctx.Folder.Prototypes);
        using var lpcam = PackedMapMaker.LpCam(set, ctx.Layout);
        using var lpcamF = PackedMapMaker.LpCam(set, ctx.Layout, foregroundOnly: true);
        Run(ctx, "make-lpcam", [("lpcam", lpcam), ("lpcam_f", lpcamF)]);
    }

    private static void Run(PipelineContext ctx, string label, IReadOnlyList<(string Name, PackedMapMaker Maker)> methods)
    {
        var names = ctx.Dataset.Names;
        using var progress = new Progress(label, names.Count);
        ParallelImages.For(names.Count, ctx.Options.Workers, i =>
        {
            string name = names[i];
            // Every file is checked (not only up to the first damaged one), so each damaged file is named.
            if (methods.Select(m => RunFolder.IsReusable(ctx.Folder.Maps(m.Name, name), MapFiles.ReadMaps)).ToList().All(ok => ok)) { progress.Tick(skipped: true); return; }
            var classes = ctx.Dataset.Classes(name);
            var features = ctx.ReadFeatures(ctx.Folder.Features(name));
            var (h4, w4) = InferenceScales.Stride4Size(features.Height, features.Width);
            foreach (var (method, maker) in methods)
            {
                var values = classes.Count == 0 ? [] : Select(maker.Make(features.Packed, features.FeatureSize, h4, w4), classes, h4 * w4);
                MapFiles.WriteMaps(ctx.Folder.Maps(method, name), classes, values, h4, w4, features.Height, features.Width);
            }
            progress.Tick();
        });
    }

    /// <summary>The maps of <paramref name="classes"/>, in that order, out of the maps of every class.</summary>
    private static float[] Select(float[] all, IReadOnlyList<int> classes, int plane)
    {
        var selected = new float[classes.Count * plane];
        for (int k = 0; k < classes.Count; k++) Array.Copy(all, classes[k] * plane, selected, k * plane, plane);
        return selected;
    }
}
