using System.Globalization;
using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Engine.Seeds;

namespace LpCam.MLNet.Reporting;

/// <summary>The IoU of one label (background or an object class); NaN when the label is absent from ground truth and
/// predictions alike.</summary>
/// <param name="Name">The label's name.</param>
/// <param name="IoU">TP / (TP + FP + FN), a fraction in [0, 1], or NaN.</param>
public sealed record ClassIoU(string Name, double IoU);

/// <summary>One point of a threshold sweep: the mIoU (background and object classes) of the seeds at a threshold.</summary>
/// <param name="Threshold">The background threshold.</param>
/// <param name="MeanIoU">mIoU, a fraction in [0, 1].</param>
public sealed record SweepPoint(double Threshold, double MeanIoU);

/// <summary>The seed scores of one method at one threshold: the paper's Table 1 columns plus per-class IoU. Fractions in
/// [0, 1]; NaN where a mean has no class to average (every object class absent).</summary>
/// <param name="Threshold">The background threshold the seeds were made at.</param>
/// <param name="MeanIoU">Mean IoU over background and the object classes present.</param>
/// <param name="FalsePositive">Mean FP / (TP + FP + FN) over the object classes present.</param>
/// <param name="FalseNegative">Mean FN / (TP + FP + FN) over the object classes present.</param>
/// <param name="Precision">Mean precision over the object classes present.</param>
/// <param name="Recall">Mean recall over the object classes present.</param>
/// <param name="Classes">IoU of every label, background first.</param>
public sealed record MetricsSummary(double Threshold, double MeanIoU, double FalsePositive, double FalseNegative,
    double Precision, double Recall, IReadOnlyList<ClassIoU> Classes)
{
    /// <summary>Reads the scores of <paramref name="metrics"/>, made at <paramref name="threshold"/>.</summary>
    public static MetricsSummary From(SegmentationMetrics metrics, double threshold)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return new MetricsSummary(threshold, metrics.MeanIoU, metrics.FalsePositive, metrics.FalseNegative,
            metrics.Precision, metrics.Recall, metrics.Classes.Select(c => new ClassIoU(c.Name, c.IoU)).ToArray());
    }
}

/// <summary>The scores of one method (CAM, LPCAM-F or LPCAM) in metrics.json: at the threshold chosen on the command line,
/// at the best threshold of the sweep, and the sweep itself.</summary>
/// <param name="Chosen">Scores at the chosen threshold.</param>
/// <param name="Best">Scores at the sweep's best threshold (highest mIoU).</param>
/// <param name="Sweep">mIoU at every swept threshold, in ascending threshold order.</param>
public sealed record MethodMetrics(MetricsSummary Chosen, MetricsSummary Best, IReadOnlyList<SweepPoint> Sweep)
{
    /// <summary>Builds a method's entry from its scores at the chosen threshold and its sweep.</summary>
    /// <param name="atThreshold">Scores of the seeds made at <paramref name="threshold"/>.</param>
    /// <param name="threshold">The chosen threshold.</param>
    /// <param name="sweep">The method's threshold sweep.</param>
    public static MethodMetrics From(SegmentationMetrics atThreshold, double threshold, ThresholdSweepResult sweep)
    {
        ArgumentNullException.ThrowIfNull(atThreshold);
        ArgumentNullException.ThrowIfNull(sweep);
        var points = new SweepPoint[sweep.Thresholds.Count];
        for (int i = 0; i < points.Length; i++)
            points[i] = new SweepPoint(ToDouble(sweep.Thresholds[i]), sweep.Metrics[i].MeanIoU);
        Array.Sort(points, (a, b) => a.Threshold.CompareTo(b.Threshold));
        return new MethodMetrics(
            MetricsSummary.From(atThreshold, threshold),
            MetricsSummary.From(sweep.Best, ToDouble(sweep.BestThreshold)),
            points);
    }

    /// <summary>Builds a method's entry from its sweep alone, taking the chosen threshold's scores from the sweep.</summary>
    /// <param name="sweep">The method's threshold sweep; it must include <paramref name="threshold"/>.</param>
    /// <param name="threshold">The chosen threshold.</param>
    /// <exception cref="ArgumentException">The sweep does not include <paramref name="threshold"/>.</exception>
    public static MethodMetrics From(ThresholdSweepResult sweep, float threshold)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        for (int i = 0; i < sweep.Thresholds.Count; i++)
            if (sweep.Thresholds[i] == threshold)
                return From(sweep.Metrics[i], ToDouble(threshold), sweep);
        throw new ArgumentException($"Threshold {threshold} is not one of the sweep's ({string.Join(", ", sweep.Thresholds)}); add it to the sweep or pass its scores.", nameof(threshold));
    }

    /// <summary>A float threshold as the double its shortest text names (0.05f gives 0.05, not 0.0500000007).</summary>
    internal static double ToDouble(float value) =>
        double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>The content of metrics.json: the image count, the classifier's mAP and the three methods' scores.</summary>
/// <param name="Images">Number of images evaluated.</param>
/// <param name="ClassifierMeanAveragePrecision">The classifier's mAP as a fraction, NaN when unknown.</param>
/// <param name="Cam">CAM's scores.</param>
/// <param name="LpCamF">LPCAM-F's scores (class prototypes only).</param>
/// <param name="LpCam">LPCAM's scores.</param>
public sealed record MetricsDocument(int Images, double ClassifierMeanAveragePrecision, MethodMetrics Cam, MethodMetrics LpCamF, MethodMetrics LpCam)
{
    /// <summary>The three methods with their metrics.json keys and display names, in report order.</summary>
    public IReadOnlyList<(string Key, string Name, MethodMetrics Metrics)> Methods =>
        new[] { ("cam", "CAM", Cam), ("lpcam_f", "LPCAM-F", LpCamF), ("lpcam", "LPCAM", LpCam) };
}
