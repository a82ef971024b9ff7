using System.Globalization;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Reporting;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// eval: scores CAM, LPCAM-F and LPCAM seeds against the ground-truth masks at the original resolution (255 ignored):
/// the paper's Table 1 metrics at the command line's thresholds (--cam-threshold for CAM, --threshold for the others)
/// and at each method's best threshold of a sweep, then metrics.json and report.html with a gallery. Images run on
/// --workers threads; the results do not depend on their number.
/// </summary>
internal static class EvalStep
{
    private static readonly string[] Methods = { "cam", "lpcam_f", "lpcam" };

    public static void Run(PipelineContext ctx)
    {
        var names = ctx.Dataset.Names;
        var classNames = ctx.Dataset.ClassNames.Prepend("background").ToList();
        var thresholds = ThresholdSweep.DefaultThresholds.Append(ctx.Options.Threshold).Append(ctx.Options.CamThreshold).Distinct().Order().ToList();
        var sweeps = Methods.ToDictionary(m => m, _ => new ThresholdSweep(classNames.Count, thresholds));
        var galleryNames = GallerySelection.Names(ctx.Dataset, ctx.Options.Gallery).ToHashSet();
        var galleryItems = new System.Collections.Concurrent.ConcurrentDictionary<string, GalleryItem>();
        int scored = 0;
        using (var progress = new Progress("eval", names.Count))
        {
            // Images run on --workers threads, each thread with its own sweeps; the sweeps hold integer counts, so merging
            // them in any order gives the same totals.
            ParallelImages.For(names.Count, ctx.Options.Workers,
                () => Methods.ToDictionary(m => m, _ => new ThresholdSweep(classNames.Count, thresholds)),
                (i, local) =>
                {
                    string name = names[i];
                    var truth = ctx.Dataset.LoadMask(name);
                    if (truth is not { } gt) { progress.Tick(); return; }
                    var full = Methods.ToDictionary(m => m, m => FullResolutionMaps.Read(ctx.Folder.Maps(m, name)));
                    foreach (var m in Methods)
                    {
                        var (keys, maps, h, w) = full[m];
                        if (h != gt.Height || w != gt.Width)
                            throw new CliException($"eval: the maps of '{name}' are {h}x{w} but its mask is {gt.Height}x{gt.Width}.");
                        local[m].Add(maps, h, w, FullResolutionMaps.Labels(keys), gt.Mask);
                    }
                    if (galleryNames.Contains(name))
                    {
                        var (keys, lpcam, h, w) = full["lpcam"];
                        var seed = SeedMasks.FromMaps(lpcam, h, w, FullResolutionMaps.Labels(keys), ctx.Options.Threshold);
                        galleryItems[name] = new GalleryItem(ctx.Dataset.LoadImage(name), MaxOrZero(full["cam"].Maps, h, w), MaxOrZero(lpcam, h, w), seed, gt.Mask);
                    }
                    Interlocked.Increment(ref scored);
                    progress.Tick();
                },
                local => { foreach (var m in Methods) sweeps[m].Merge(local[m]); });
        }
        // The thumbnails, in dataset order.
        var gallery = new GalleryWriter(ctx.Folder.Root);
        foreach (var name in names)
            if (galleryItems.TryGetValue(name, out var item))
                gallery.Add(name, item.Image, item.Cam, item.LpCam, item.Seed, item.Truth);
        if (scored == 0)
        {
            Console.WriteLine("eval: the dataset has no ground-truth masks; nothing to score.");
            return;
        }
        var results = Methods.ToDictionary(m => m, m => sweeps[m].Summarize(classNames));
        var document = new MetricsDocument(scored, TrainCamStep.LoadMap(ctx.Folder),
            MethodMetrics.From(results["cam"], ctx.Options.CamThreshold),
            MethodMetrics.From(results["lpcam_f"], ctx.Options.Threshold),
            MethodMetrics.From(results["lpcam"], ctx.Options.Threshold));
        MetricsJson.Write(ctx.Folder.Metrics, document);
        var summary = new RunSummary(ctx.Dataset.Description, scored, ctx.Options.Backbone,
            ctx.Options.Identity().ToList(), string.Join(" ", Environment.GetCommandLineArgs()));
        ReportHtml.Write(ctx.Folder.Report, summary, document, gallery.Rows);
        PrintTable(document);
        Console.WriteLine($"eval: {ctx.Folder.Metrics}, {ctx.Folder.Report}");
    }

    private sealed record GalleryItem(LpCam.MLNet.Images.RgbImage Image, float[] Cam, float[] LpCam, byte[] Seed, byte[] Truth);

    private static float[] MaxOrZero(float[] maps, int h, int w) => maps.Length == 0 ? new float[h * w] : Overlay.MaxOverMaps(maps, h, w);

    private static void PrintTable(MetricsDocument document)
    {
        string P(double v) => double.IsNaN(v) ? "  -  " : (100 * v).ToString("F1", CultureInfo.InvariantCulture).PadLeft(5);
        Console.WriteLine($"{"method",-10} {"t",5} {"FP",5} {"FN",5} {"mIoU",5} {"Prec.",5} {"Rec.",5}   | best t  mIoU");
        foreach (var (_, label, m) in document.Methods)
            Console.WriteLine($"{label,-10} {m.Chosen.Threshold,5:F2} {P(m.Chosen.FalsePositive)} {P(m.Chosen.FalseNegative)} {P(m.Chosen.MeanIoU)} {P(m.Chosen.Precision)} {P(m.Chosen.Recall)}   | {m.Best.Threshold,5:F2} {P(m.Best.MeanIoU)}");
    }
}
