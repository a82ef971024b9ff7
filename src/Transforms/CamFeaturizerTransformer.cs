using LpCam.MLNet.Onnx;
using LpCam.MLNet.Engine.Classifier;
using Microsoft.ML;
using LpCam.MLNet.Estimators;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Transforms;

/// <summary>
/// The fitted <see cref="Estimators.CamFeaturizerEstimator"/>: pixels -> feature maps, class scores and CAMs, as one ONNX
/// graph (backbone + the trained bias-free head as a 1x1 convolution).
/// </summary>
/// <remarks>
/// <para>Bad pixels are never turned into outputs. A single NaN pixel would make every class score and every CAM value of
/// the row NaN, so the input is checked (NaN, infinities and values outside <see cref="Estimators.PixelRange"/>, 0..255
/// with a margin of 1) in two places:</para>
/// <list type="bullet">
/// <item>In this process, <see cref="Transform"/> checks a row's pixels when they are read to compute its outputs (lazily,
/// row by row), and throws an <see cref="InvalidDataException"/> naming the pixel column, the row (its index in the source
/// data, from ML.NET's row id), the value and its (channel, y, x). ML.NET may compute rows ahead on worker threads, so the exception can surface while
/// an earlier row is being read; columns that do not need the pixels (labels, paths) still read.</item>
/// <item>The compiled ONNX graph carries the same check (a guard in front of the backbone), so it also holds after
/// <c>mlContext.Model.Save</c> and <c>Model.Load</c> in another process, where the pipeline is ML.NET's plain
/// <c>OnnxTransformer</c>, and for a <c>PredictionEngine</c>: ONNX Runtime then stops the run of that row with an error
/// whose node name reads "LpCam pixel check: column 'Pixels' holds NaN, an infinity or a value outside -1..256; expected
/// planar RGB 0..255" (ML.NET wraps it in its own exception; the row is the one being read). Good rows give bit-identical
/// outputs with or without the guard.</item>
/// </list>
/// <para>There is no option to skip bad rows: filter them before the featurizer (for example with
/// <c>mlContext.Data.FilterByCustomPredicate</c>) if a dataset is known to hold some.</para>
/// <para>After <c>Model.Load</c> this component is ML.NET's <c>OnnxTransformer</c> running the same graph (same columns and
/// values, no annotations: pass <see cref="LpCamModelInfo.ReadClassifierHead"/> and <see cref="LpCamModelInfo.ReadFeatureLayout"/>
/// to a LocalPrototypeEstimator fitted on a reloaded featurizer); <see cref="LpCamModelInfo.ReadContents"/> reads its class
/// names, backbone, scales, flip and head back from the zip.</para>
/// </remarks>
public sealed class CamFeaturizerTransformer : OnnxBackedTransformer
{
    /// <summary>
    /// The annotation on the CAM column that carries the head's weights (C x D, row-major) to a LocalPrototypeEstimator
    /// later in the same pipeline: prototype selection scores cluster centres with the classifier.
    /// </summary>
    public const string ClassifierWeightsAnnotation = "LpCam.ClassifierWeights";

    /// <summary>The annotation on the Features column that carries the feature layout (<see cref="FeatureColumnLayout"/>, as text).</summary>
    public const string FeatureLayoutAnnotation = "LpCam.FeatureLayout";

    private readonly CamFeaturizerEstimator.Options _options;

    internal CamFeaturizerTransformer(ITransformer onnx, IReadOnlyDictionary<string, string> metadata, HeadTrainingResult training,
        IReadOnlyList<string> classNames, string backbone, FeatureColumnLayout layout, int canvasHeight, int canvasWidth,
        CamFeaturizerEstimator.Options options)
        : base(onnx, metadata)
    {
        _options = options;
        Training = training;
        ClassNames = classNames;
        Backbone = backbone;
        Layout = layout;
        CanvasHeight = canvasHeight;
        CanvasWidth = canvasWidth;
    }

    /// <summary>The trained head W [C, D] (no bias).</summary>
    public ClassifierHead Head => Training.Head;

    /// <summary>The head's training report: loss per epoch.</summary>
    public HeadTrainingResult Training { get; }

    /// <summary>Class names, one per label slot (also the slot names of the scores column).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The backbone's name.</summary>
    public string Backbone { get; }

    /// <summary>The inference scales and flip, and how the Features column packs them.</summary>
    public FeatureColumnLayout Layout { get; }

    /// <summary>Height of the pixel canvas.</summary>
    public int CanvasHeight { get; }

    /// <summary>Width of the pixel canvas.</summary>
    public int CanvasWidth { get; }

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => Annotate(base.GetOutputSchema(inputSchema));

    /// <summary>
    /// Adds the feature, score and CAM columns. A row whose pixels are NaN, infinite or outside
    /// <see cref="Estimators.PixelRange"/> makes reading any of its outputs (or its pixels) throw an
    /// <see cref="InvalidDataException"/> naming the pixel column, the row (its index in the source), the value and its position
    /// (see the remarks).
    /// </summary>
    public override IDataView Transform(IDataView input)
    {
        var output = new BadPixelsSurfacingDataView(base.Transform(new PixelCheckedDataView(input, _options.PixelsColumnName, CanvasHeight, CanvasWidth)));
        return new AnnotatedDataView(output, Annotate(output.Schema));
    }

    /// <summary>The classifier weights on the CAM column, the layout on the features, the class names as the scores' slot names.</summary>
    private DataViewSchema Annotate(DataViewSchema schema)
    {
        schema = AnnotatedDataView.Annotate(schema, _options.CamColumnName, ClassifierWeightsAnnotation, WeightsType, WeightsGetter);
        schema = AnnotatedDataView.Annotate(schema, _options.FeaturesColumnName, FeatureLayoutAnnotation, TextDataViewType.Instance,
            (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = Layout.ToString().AsMemory()));
        return AnnotatedDataView.Annotate(schema, _options.ScoresColumnName, ClassNameSlots.Kind,
            new VectorDataViewType(TextDataViewType.Instance, ClassNames.Count),
            (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> value) =>
                value = new VBuffer<ReadOnlyMemory<char>>(ClassNames.Count, ClassNames.Select(n => n.AsMemory()).ToArray())));
    }

    private VectorDataViewType WeightsType => new(NumberDataViewType.Single, Head.ClassCount, Head.FeatureDim);

    private ValueGetter<VBuffer<float>> WeightsGetter => (ref VBuffer<float> value) => value = new VBuffer<float>(Head.Weights.Length, (float[])Head.Weights.Clone());
}
