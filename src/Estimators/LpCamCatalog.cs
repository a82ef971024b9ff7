using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Estimators;
using LpCam.MLNet.Evaluation;
using Microsoft.ML.Data;

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
    /// Makes the ONNX Runtime sessions that this context creates from now on (at Fit and at <c>Model.Load</c>) sleep
    /// instead of spin-waiting between runs (<see cref="LpCam.MLNet.Onnx.OnnxSessionSettings"/>), replacing any session
    /// options set before. Call it before loading a saved LpCam model: the chain's sessions then do not compete for the
    /// cores (1.55 x the backbone's time with ONNX Runtime's defaults on 2 cores, 0.92 x with it). The estimators set it at
    /// Fit themselves unless the context has session options.
    /// </summary>
    /// <returns>This catalog.</returns>
    public LpCamCatalog UseNonSpinningOnnxSessions()
    {
        LpCam.MLNet.Onnx.OnnxSessionSettings.Apply(Context);
        return this;
    }

    /// <summary>
    /// Images of any size -> feature maps of every scale, class scores and CAMs at stride 4 of the original image; Fit trains
    /// the multi-label head on the labels with the pretrained ResNet-18 (frozen) as the backbone.
    /// </summary>
    /// <param name="labelColumnName">Multi-hot float labels [C].</param>
    /// <param name="pixelsColumnName">Planar RGB pixels 0..255 [3, H_c, W_c] (ResizeImages with IsoPad, then ExtractPixels with interleavePixelColors: false).</param>
    /// <param name="imageSizeColumnName">The images' original (height, width) [2], when the pixels are an IsoPad canvas; null when the pixels are the whole image.</param>
    /// <param name="scales">Inference scales; null for scale 1 (the paper's: 1.0, 0.5, 1.5, 2.0).</param>
    /// <param name="flip">Whether each scale also runs the mirror image.</param>
    /// <param name="classNames">Class names, one per label slot (the scores' slot names); optional.</param>
    public CamFeaturizerEstimator CamFeaturizer(string labelColumnName = CamFeaturizerEstimator.Defaults.LabelColumnName,
        string pixelsColumnName = CamFeaturizerEstimator.Defaults.PixelsColumnName, string? imageSizeColumnName = null,
        IReadOnlyList<double>? scales = null, bool flip = CamFeaturizerEstimator.Defaults.Flip, IReadOnlyList<string>? classNames = null) =>
        new(Context, new CamFeaturizerEstimator.Options
        {
            LabelColumnName = labelColumnName,
            PixelsColumnName = pixelsColumnName,
            ImageSizeColumnName = imageSizeColumnName,
            Scales = scales ?? CamFeaturizerEstimator.Defaults.Scales,
            Flip = flip,
            ClassNames = classNames,
        });

    /// <summary>CamFeaturizer with every option.</summary>
    public CamFeaturizerEstimator CamFeaturizer(CamFeaturizerEstimator.Options options) => new(Context, options);

    /// <summary>
    /// Fits LPCAM's class and context prototypes (paper defaults for VOC) on CamFeaturizer's outputs and makes LPCAM maps
    /// (and LPCAM-F maps under <paramref name="foregroundOnlyColumnName"/>) at the CAM's size, from every scale.
    /// </summary>
    /// <param name="outputColumnName">The LPCAM column to create.</param>
    /// <param name="foregroundOnlyColumnName">The LPCAM-F column to create; null for none.</param>
    /// <param name="labelColumnName">Multi-hot labels [C].</param>
    public LocalPrototypeEstimator LocalPrototypes(string outputColumnName = LocalPrototypeEstimator.Defaults.OutputColumnName,
        string? foregroundOnlyColumnName = null, string labelColumnName = LocalPrototypeEstimator.Defaults.LabelColumnName) =>
        new(Context, new LocalPrototypeEstimator.Options
        {
            OutputColumnName = outputColumnName,
            ForegroundOnlyColumnName = foregroundOnlyColumnName,
            LabelColumnName = labelColumnName,
        });

    /// <summary>LocalPrototypes with every option.</summary>
    public LocalPrototypeEstimator LocalPrototypes(LocalPrototypeEstimator.Options options) => new(Context, options);

    /// <summary>Seed masks from class maps: a background plane at <paramref name="threshold"/>, argmax, ties to background.</summary>
    /// <param name="outputColumnName">The seed-mask column to create (uint8 labels, 0 = background, c + 1 = class c).</param>
    /// <param name="mapsColumnName">The maps column (CamFeaturizer's Cam, LocalPrototypes' LpCam).</param>
    /// <param name="classes">The classes each mask is made for: the labels (training images), the predicted classes (images
    /// without labels), or the labels when a row has any and the predicted classes otherwise.</param>
    /// <param name="threshold">The background threshold (the paper's 0.3 for LPCAM).</param>
    /// <param name="labelColumnName">The multi-hot labels [C].</param>
    /// <param name="scoresColumnName">The class scores [C] (CamFeaturizer's Scores).</param>
    public SeedMaskEstimator SeedMasks(string outputColumnName = SeedMaskEstimator.Defaults.OutputColumnName,
        string mapsColumnName = SeedMaskEstimator.Defaults.MapsColumnName, SeedClasses classes = SeedMaskEstimator.Defaults.Classes,
        float threshold = SeedMaskEstimator.Defaults.Threshold, string labelColumnName = SeedMaskEstimator.Defaults.LabelColumnName,
        string scoresColumnName = SeedMaskEstimator.Defaults.ScoresColumnName) =>
        new(Context, new SeedMaskEstimator.Options
        {
            OutputColumnName = outputColumnName,
            MapsColumnName = mapsColumnName,
            Classes = classes,
            Threshold = threshold,
            LabelColumnName = labelColumnName,
            ScoresColumnName = scoresColumnName,
        });

    /// <summary>Seed masks with every option.</summary>
    public SeedMaskEstimator SeedMasks(SeedMaskEstimator.Options options) => new(Context, options);

    /// <summary>
    /// Scores seed masks against ground truth at the image's own size (paper Table 1 metrics; see <see cref="SeedMaskEvaluator"/>).
    /// The class count and names come from the label column (its size) and the scores' slot names; stride-4 seeds are
    /// brought to the ground truth's size with the MapSize and image-size columns when the data has them.
    /// </summary>
    /// <param name="data">Scored data.</param>
    /// <param name="seedColumnName">Seed masks.</param>
    /// <param name="groundTruthColumnName">Ground truth at the image size, 255 = ignore.</param>
    /// <param name="imageSizeColumnName">The images' (height, width) [2].</param>
    /// <param name="labelColumnName">The label column, for the class count.</param>
    public SegmentationMetrics Evaluate(IDataView data, string seedColumnName = SeedMaskEstimator.Defaults.OutputColumnName,
        string groundTruthColumnName = "GroundTruth", string imageSizeColumnName = CamFeaturizerEstimator.Defaults.ImageSizeColumnName,
        string labelColumnName = CamFeaturizerEstimator.Defaults.LabelColumnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (classCount, names) = Classes(data.Schema, labelColumnName);
        return SeedMaskEvaluator.Evaluate(data, seedColumnName, groundTruthColumnName, classCount, names,
            Present(data.Schema, CamFeaturizerEstimator.Defaults.MapSizeColumnName), Present(data.Schema, imageSizeColumnName));
    }

    /// <summary>
    /// The threshold sweeps of one or more maps columns (e.g. Cam, LpCamF, LpCam) in one pass over the data, scored at the
    /// image's own size (maps resized bilinearly first, as the CLI does); class names come from the scores' slot names.
    /// </summary>
    /// <param name="data">Scored data.</param>
    /// <param name="mapsColumnNames">The maps columns.</param>
    /// <param name="labelColumnName">The multi-hot labels: the classes seeds are made for.</param>
    /// <param name="groundTruthColumnName">Ground truth at the image size, 255 = ignore.</param>
    /// <param name="imageSizeColumnName">The images' (height, width) [2].</param>
    /// <param name="thresholds">Background thresholds; null for 0.05, 0.10, ..., 0.95.</param>
    public IReadOnlyDictionary<string, ThresholdSweepResult> SweepThresholds(IDataView data, IReadOnlyList<string> mapsColumnNames,
        string labelColumnName = CamFeaturizerEstimator.Defaults.LabelColumnName, string groundTruthColumnName = "GroundTruth",
        string imageSizeColumnName = CamFeaturizerEstimator.Defaults.ImageSizeColumnName, IReadOnlyList<float>? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (_, names) = Classes(data.Schema, labelColumnName);
        return SeedMaskEvaluator.Sweep(data, mapsColumnNames, labelColumnName, groundTruthColumnName, thresholds, names,
            Present(data.Schema, CamFeaturizerEstimator.Defaults.MapSizeColumnName), Present(data.Schema, imageSizeColumnName));
    }

    private static (int Count, IReadOnlyList<string>? Names) Classes(DataViewSchema schema, string labelColumnName)
    {
        var labels = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, labelColumnName, "labels"), NumberDataViewType.Single,
            "labels", "a known-size vector of Single (multi-hot, one slot per class)");
        var names = ClassNameSlots.Read(schema[labelColumnName], labels.Size)
            ?? (schema.GetColumnOrNull(CamFeaturizerEstimator.Defaults.ScoresColumnName) is { } scores ? ClassNameSlots.Read(scores, labels.Size) : null);
        return (labels.Size, names);
    }

    private static string? Present(DataViewSchema schema, string name) => schema.GetColumnOrNull(name) is null ? null : name;
}
