using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Estimators;
using LpCam.MLNet.Evaluation;

namespace Microsoft.ML;

/// <summary>
/// The entry point to LpCam.MLNet's estimators: <c>mlContext.LpCam()</c>. The catalog keeps the <see cref="MLContext"/>,
/// whose <c>GpuDeviceId</c> and <c>FallbackToCpu</c> the ONNX inference of every fitted component honours.
/// </summary>
public static class LpCamMLContextExtensions
{
    /// <summary>The LpCam catalog of <paramref name="mlContext"/>.</summary>
    public static LpCamCatalog LpCam(this MLContext mlContext) => new(mlContext);
}

/// <summary>Creates the LPCAM estimators and evaluates seed masks. Obtain it with <c>mlContext.LpCam()</c>.</summary>
public sealed class LpCamCatalog
{
    internal LpCamCatalog(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        Context = mlContext;
    }

    /// <summary>The ML.NET context the estimators use.</summary>
    public MLContext Context { get; }

    /// <summary>
    /// Images -> feature maps, class scores and CAMs; Fit trains the multi-label head on the labels with the pretrained
    /// ResNet-18 (frozen) as the backbone.
    /// </summary>
    /// <param name="labelColumnName">Multi-hot float labels [C].</param>
    /// <param name="pixelsColumnName">Planar RGB pixels 0..255 [3, H, W] (ExtractPixels with interleavePixelColors: false).</param>
    /// <param name="classNames">Class names, one per label slot; optional.</param>
    public CamFeaturizerEstimator CamFeaturizer(string labelColumnName = CamFeaturizerEstimator.Defaults.LabelColumnName,
        string pixelsColumnName = CamFeaturizerEstimator.Defaults.PixelsColumnName, IReadOnlyList<string>? classNames = null) =>
        new(Context, new CamFeaturizerEstimator.Options { LabelColumnName = labelColumnName, PixelsColumnName = pixelsColumnName, ClassNames = classNames });

    /// <summary>CamFeaturizer with every option.</summary>
    public CamFeaturizerEstimator CamFeaturizer(CamFeaturizerEstimator.Options options) => new(Context, options);

    /// <summary>Fits LPCAM's class and context prototypes (paper defaults for VOC) and makes LPCAM maps.</summary>
    /// <param name="outputColumnName">The LPCAM column to create.</param>
    /// <param name="featuresColumnName">Feature maps [.., D, h, w].</param>
    /// <param name="camColumnName">CAMs [.., C, H, W].</param>
    /// <param name="labelColumnName">Multi-hot labels [C].</param>
    public LocalPrototypeEstimator LocalPrototypes(string outputColumnName = LocalPrototypeEstimator.Defaults.OutputColumnName,
        string featuresColumnName = LocalPrototypeEstimator.Defaults.FeaturesColumnName,
        string camColumnName = LocalPrototypeEstimator.Defaults.CamColumnName,
        string labelColumnName = LocalPrototypeEstimator.Defaults.LabelColumnName) =>
        new(Context, new LocalPrototypeEstimator.Options
        {
            OutputColumnName = outputColumnName,
            FeaturesColumnName = featuresColumnName,
            CamColumnName = camColumnName,
            LabelColumnName = labelColumnName,
        });

    /// <summary>LocalPrototypes with every option.</summary>
    public LocalPrototypeEstimator LocalPrototypes(LocalPrototypeEstimator.Options options) => new(Context, options);

    /// <summary>Seed masks from class maps: a background plane at <paramref name="threshold"/>, argmax, ties to background.</summary>
    /// <param name="outputColumnName">The seed-mask column to create (uint8 labels, 0 = background, c + 1 = class c).</param>
    /// <param name="mapsColumnName">The maps column: a known-size float vector with dimensions [.., C, H, W].</param>
    /// <param name="labelColumnName">The multi-hot float label vector [C] selecting each image's classes.</param>
    /// <param name="threshold">The background threshold.</param>
    public SeedMaskEstimator SeedMasks(string outputColumnName = SeedMaskEstimator.Defaults.OutputColumnName,
        string mapsColumnName = SeedMaskEstimator.Defaults.MapsColumnName,
        string labelColumnName = SeedMaskEstimator.Defaults.ClassesColumnName,
        float threshold = SeedMaskEstimator.Defaults.Threshold) =>
        new(Context, new SeedMaskEstimator.Options
        {
            OutputColumnName = outputColumnName,
            MapsColumnName = mapsColumnName,
            ClassesColumnName = labelColumnName,
            Threshold = threshold,
        });

    /// <summary>Seed masks with every option.</summary>
    public SeedMaskEstimator SeedMasks(SeedMaskEstimator.Options options) => new(Context, options);

    /// <summary>Scores seed masks against ground truth of the same size (paper Table 1 metrics); see <see cref="SeedMaskEvaluator"/>.</summary>
    public SegmentationMetrics Evaluate(IDataView data, int classCount, string seedColumnName = SeedMaskEstimator.Defaults.OutputColumnName,
        string groundTruthColumnName = "GroundTruth", IReadOnlyList<string>? classNames = null) =>
        SeedMaskEvaluator.Evaluate(data, seedColumnName, groundTruthColumnName, classCount, classNames);

    /// <summary>Seeds from a maps column at many thresholds, scored in one pass; see <see cref="SeedMaskEvaluator"/>.</summary>
    public ThresholdSweepResult SweepThresholds(IDataView data, string mapsColumnName, string labelColumnName = "Label",
        string groundTruthColumnName = "GroundTruth", IReadOnlyList<float>? thresholds = null, IReadOnlyList<string>? classNames = null) =>
        SeedMaskEvaluator.Sweep(data, mapsColumnName, labelColumnName, groundTruthColumnName, thresholds, classNames);

    /// <summary>The threshold sweeps of several maps columns in one pass over the data (the pipeline upstream runs once).</summary>
    public IReadOnlyDictionary<string, ThresholdSweepResult> SweepThresholds(IDataView data, IReadOnlyList<string> mapsColumnNames,
        string labelColumnName = "Label", string groundTruthColumnName = "GroundTruth", IReadOnlyList<float>? thresholds = null,
        IReadOnlyList<string>? classNames = null) =>
        SeedMaskEvaluator.Sweep(data, mapsColumnNames, labelColumnName, groundTruthColumnName, thresholds, classNames);
}
