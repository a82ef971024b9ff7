using System.Globalization;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Reporting;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// eval: scores CAM, LPCAM-F and LPCAM seeds against the ground-truth masks at the original resolution (255 ignored):
/// the paper's Table 1 metrics at the command line's thresholds (--cam-threshold for CAM, --threshold for the others)
/// and at each method's best threshold of a sweep, then metrics.json and report.html with a gallery.
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
        var gallery = new GalleryWriter(ctx.Folder.Root);
        int scored = 0;
        using (var progress = new Progress("eval", names.Count))
        {
            foreach (var name in names)
            {
                var truth = ctx.Dataset.LoadMask(name);
                if (truth is not { } gt) { progress.Tick(); continue; }
                var full = Methods.ToDictionary(m => m, m => FullResolutionMaps.Read(ctx.Folder.Maps(m, name)));
                foreach (var m in Methods)
                {
                    var (keys, maps, h, w) = full[m];
                    if (h != gt.Height || w != gt.Width)
                        throw new CliException($"eval: the maps of '{name}' are {h}x{w} but its mask is {gt.Height}x{gt.Width}.");
                    sweeps[m].Add(maps, h, w, FullResolutionMaps.Labels(keys), gt.Mask);
                }
                if (gallery.Rows.Count < ctx.Options.Gallery)
                {
                    var (keys, lpcam, h, w) = full["lpcam"];
                    var image = ctx.Dataset.LoadImage(name);
                    var seed = SeedMasks.FromMaps(lpcam, h, w, FullResolutionMaps.Labels(keys), ctx.Options.Threshold);
                    gallery.Add(name, image, MaxOrZero(full["cam"].Maps, h, w), MaxOrZero(lpcam, h, w), seed, gt.Mask);
                }
                scored++;
                progress.Tick();
            }
        }
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

    private static float[] MaxOrZero(float[] maps, int h, int w) => maps.Length == 0 ? new float[h * w] : Overlay.MaxOverMaps(maps, h, w);

    private static void PrintTable(MetricsDocument document)
    {
        string P(double v) => double.IsNaN(v) ? "  -  " : (100 * v).ToString("F1", CultureInfo.InvariantCulture).PadLeft(5);
        Console.WriteLine($"{"method",-10} {"t",5} {"FP",5} {"FN",5} {"mIoU",5} {"Prec.",5} {"Rec.",5}   | best t  mIoU");
        foreach (var (_, label, m) in document.Methods)
            Console.WriteLine($"{label,-10} {m.Chosen.Threshold,5:F2} {P(m.Chosen.FalsePositive)} {P(m.Chosen.FalseNegative)} {P(m.Chosen.MeanIoU)} {P(m.Chosen.Precision)} {P(m.Chosen.Recall)}   | {m.Best.Threshold,5:F2} {P(m.Best.MeanIoU)}");
    }
}
