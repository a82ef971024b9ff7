namespace LpCam.MLNet.Reporting;

/// <summary>What the header of report.html says about a run.</summary>
/// <param name="Dataset">The data set, e.g. a folder or "VOC 2012 train".</param>
/// <param name="Images">Number of images evaluated.</param>
/// <param name="Backbone">The feature extractor, e.g. "ResNet-18 (ONNX, stride 32)".</param>
/// <param name="Parameters">Name and value of each parameter (K, tau, thresholds...), in display order.</param>
/// <param name="CommandLine">The command line that produced the run.</param>
public sealed record RunSummary(string Dataset, int Images, string Backbone,
    IReadOnlyList<KeyValuePair<string, string>> Parameters, string CommandLine)
{
    /// <summary>The page title.</summary>
    public string Title { get; init; } = "LPCAM seed report";

    /// <summary>When the run ended; shown when set.</summary>
    public DateTimeOffset? Created { get; init; }
}

/// <summary>A method's row of the paper's Table 1, in percent.</summary>
/// <param name="Method">CAM, LPCAM-F or LPCAM.</param>
/// <param name="FalsePositive">FP, %.</param>
/// <param name="FalseNegative">FN, %.</param>
/// <param name="MeanIoU">mIoU, %.</param>
/// <param name="Precision">Precision, %.</param>
/// <param name="Recall">Recall, %.</param>
public sealed record Table1Row(string Method, double FalsePositive, double FalseNegative, double MeanIoU, double Precision, double Recall)
{
    /// <summary>The paper's Table 1 (Chen et al., CVPR 2023): seeds on VOC 2012 train (1,464 images), ResNet-50 IRN
    /// classifier.</summary>
    public static IReadOnlyList<Table1Row> Paper { get; } = new[]
    {
        new Table1Row("CAM", 26.5, 26.2, 48.8, 65.0, 65.2),
        new Table1Row("LPCAM-F", 33.1, 16.2, 52.1, 61.3, 76.6),
        new Table1Row("LPCAM", 29.8, 16.7, 54.9, 64.9, 77.2),
    };

    /// <summary>The row of <paramref name="method"/>'s scores, converted from fractions to percent.</summary>
    public static Table1Row From(string method, MetricsSummary scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        return new Table1Row(method, 100 * scores.FalsePositive, 100 * scores.FalseNegative, 100 * scores.MeanIoU,
            100 * scores.Precision, 100 * scores.Recall);
    }
}

/// <summary>One image of the report's gallery: thumbnail paths relative to report.html.</summary>
/// <param name="Name">The image id.</param>
/// <param name="Image">The image.</param>
/// <param name="Cam">CAM heatmap over the image.</param>
/// <param name="LpCam">LPCAM heatmap over the image.</param>
/// <param name="Seed">The seed mask in VOC colours.</param>
/// <param name="GroundTruth">The ground truth in VOC colours, or null when there is none.</param>
public sealed record GalleryRow(string Name, string Image, string Cam, string LpCam, string Seed, string? GroundTruth);
