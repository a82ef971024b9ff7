using LpCam.MLNet.Engine.Classifier;
using Microsoft.ML;
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
/// </remarks>
public sealed class CamFeaturizerTransformer : OnnxBackedTransformer
{
    /// <summary>
    /// The annotation on the CAM column that carries the head's weights (C x D, row-major) to a LocalPrototypeEstimator
    /// later in the same pipeline: prototype selection scores cluster centres with the classifier.
    /// </summary>
    public const string ClassifierWeightsAnnotation = "LpCam.ClassifierWeights";

    private readonly string _camColumn;
    private readonly string _pixelsColumn;

    internal CamFeaturizerTransformer(ITransformer onnx, IReadOnlyDictionary<string, string> metadata, HeadTrainingResult training,
        IReadOnlyList<string> classNames, string backbone, int height, int width, int featureHeight, int featureWidth,
        string pixelsColumn, string camColumn)
        : base(onnx, metadata)
    {
        _camColumn = camColumn;
        _pixelsColumn = pixelsColumn;
        Training = training;
        ClassNames = classNames;
        Backbone = backbone;
        ImageHeight = height;
        ImageWidth = width;
        FeatureHeight = featureHeight;
        FeatureWidth = featureWidth;
    }

    /// <summary>The trained head W [C, D] (no bias).</summary>
    public ClassifierHead Head => Training.Head;

    /// <summary>The head's training report: loss per epoch.</summary>
    public HeadTrainingResult Training { get; }

    /// <summary>Class names, one per label slot.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The backbone's name.</summary>
    public string Backbone { get; }

    /// <summary>Input image height H.</summary>
    public int ImageHeight { get; }

    /// <summary>Input image width W.</summary>
    public int ImageWidth { get; }

    /// <summary>Feature map height h.</summary>
    public int FeatureHeight { get; }

    /// <summary>Feature map width w.</summary>
    public int FeatureWidth { get; }

    /// <inheritdoc />
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        AnnotatedDataView.Annotate(base.GetOutputSchema(inputSchema), _camColumn, ClassifierWeightsAnnotation, WeightsType, WeightsGetter);

    /// <summary>
    /// Adds the feature, score and CAM columns. A row whose pixels are NaN, infinite or outside
    /// <see cref="Estimators.PixelRange"/> makes reading any of its outputs (or its pixels) throw an
    /// <see cref="InvalidDataException"/> naming the pixel column, the row (its index in the source), the value and its position
    /// (see the remarks).
    /// </summary>
    public override IDataView Transform(IDataView input) =>
        new AnnotatedDataView(new BadPixelsSurfacingDataView(base.Transform(new PixelCheckedDataView(input, _pixelsColumn, ImageHeight, ImageWidth))),
            _camColumn, ClassifierWeightsAnnotation, WeightsType, WeightsGetter);

    private VectorDataViewType WeightsType => new(NumberDataViewType.Single, Head.ClassCount, Head.FeatureDim);

    private ValueGetter<VBuffer<float>> WeightsGetter => (ref VBuffer<float> value) => value = new VBuffer<float>(Head.Weights.Length, (float[])Head.Weights.Clone());
}
