using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Reporting;

namespace LpCam.MLNet.Tests.Reporting;

/// <summary>A hand-computed evaluation: one image of 10 pixels, labels background, cat, &lt;dog&gt; and an absent &lt;tv&gt;.</summary>
internal static class ReportFixtures
{
    public static readonly string[] Names = { "background", "cat", "<dog>", "<tv>" };

    // Ground truth and maps. Seeds at t = 0.3 are [0,0,0,1,1,1,1,0,2,0]:
    //   background TP 3 FP 2 FN 1 (IoU 0.5); cat TP 3 FP 1 FN 1 (IoU 0.6, FP 0.2, FN 0.2, P 0.75, R 0.75);
    //   <dog> TP 1 FN 1 (IoU 0.5, FP 0, FN 0.5, P 1, R 0.5); <tv> absent (NaN).
    //   mIoU 53.3, FP 10.0, FN 35.0, precision 87.5, recall 62.5 (%).
    // At t = 0.1 (the best): [0,0,0,1,1,1,1,1,2,2]: background 0.75, cat 0.8 (FP 0.2, P 0.8), <dog> 1:
    //   mIoU 85.0, FP 10.0, FN 0.0, precision 90.0, recall 100.0.
    // At t = 0.5: [0,0,0,0,1,1,1,0,2,0]: background 4/6, cat 0.75, <dog> 0.5: mIoU 63.9.
    public static readonly byte[] GroundTruth = { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2 };

    public static readonly float[] Maps =
    {
        0, 0, 0, 0.4f, 0.8f, 0.8f, 0.8f, 0.2f, 0, 0, // cat
        0, 0, 0, 0, 0, 0, 0, 0, 0.9f, 0.2f, // <dog>
    };

    /// <summary>The sweep at 0.5, 0.1, 0.3 (deliberately unsorted).</summary>
    public static ThresholdSweepResult Sweep() => ThresholdSweep.Run(
        new[] { new SeedImage(Maps, 1, 10, new[] { 1, 2 }, GroundTruth) }, 4, new[] { 0.5f, 0.1f, 0.3f }, Names);

    public static MetricsDocument Document(double classifierMap = 0.8)
    {
        var sweep = Sweep();
        var method = MethodMetrics.From(sweep, 0.3f);
        return new MetricsDocument(1, classifierMap, method, method, method);
    }
}
