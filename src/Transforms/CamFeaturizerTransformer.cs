using LpCam.MLNet.Engine.Classifier;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Transforms;

/// <summary>
/// The fitted <see cref="Estimators.CamFeaturizerEstimator"/>: pixels -> feature maps, class scores and CAMs, as one ONNX
/// graph (backbone + the trained bias-free head as a 1x1 convolution).
/// </summary>
public sealed class CamFeaturizerTransformer : OnnxBackedTransformer
{
    /// <summary>
    /// The annotation on the CAM column that carries the head's weights (C x D, row-major) to a LocalPrototypeEstimator
    /// later in the same pipeline: prototype selection scores cluster centres with the classifier.
    /// </summary>
    public const string ClassifierWeightsAnnotation = "LpCam.ClassifierWeights";

    private readonly string _camColumn;

    internal CamFeaturizerTransformer(ITransformer onnx, IReadOnlyDictionary<string, string> metadata, HeadTrainingResult training,
        IReadOnlyList<string> classNames, string backbone, int height, int width, int featureHeight, int featureWidth, string camColumn)
        : base(onnx, metadata)
    {
        _camColumn = camColumn;
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

    /// <inheritdoc />
    public override IDataView Transform(IDataView input) =>
        new AnnotatedDataView(base.Transform(input), _camColumn, ClassifierWeightsAnnotation, WeightsType, WeightsGetter);

    private VectorDataViewType WeightsType => new(NumberDataViewType.Single, Head.ClassCount, Head.FeatureDim);

    private ValueGetter<VBuffer<float>> WeightsGetter => (ref VBuffer<float> value) => value = new VBuffer<float>(Head.Weights.Length, (float[])Head.Weights.Clone());
}
