using LpCam.MLNet.Onnx;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Engine.Prototypes;
using Microsoft.ML;

namespace LpCam.MLNet.Transforms;

/// <summary>
/// The fitted <see cref="Estimators.LocalPrototypeEstimator"/>: feature maps -> LPCAM maps (and LPCAM-F on request), as an
/// ONNX graph holding each class's prototypes folded into one row of weights.
/// </summary>
/// <remarks>
/// A NaN or an infinity in a row's features is refused, not turned into NaN maps: the compiled graph carries a guard (also
/// after <c>Model.Load</c>), and ONNX Runtime stops that row with an error whose failing node reads "LpCam input check:
/// column 'Features' holds NaN or an infinity; expected finite feature maps (CamFeaturizer's output)"; ML.NET wraps it in
/// its own exception. (CamFeaturizer's own pixel check means its features are always finite.)
/// <para>After <c>Model.Load</c> this component is ML.NET's <c>OnnxTransformer</c> running the same graph (same columns and
/// values); <see cref="LpCamModelInfo.ReadPrototypes"/> and <see cref="LpCamModelInfo.ReadContents"/> read its prototypes, K,
/// tau, mu_f and mu_b back from the zip.</para>
/// </remarks>
public sealed class LpCamTransformer : OnnxBackedTransformer
{
    internal LpCamTransformer(ITransformer onnx, IReadOnlyDictionary<string, string> metadata, PrototypeFitResult fit,
        IReadOnlyList<string> classNames, string outputColumn, string? foregroundOnlyColumn)
        : base(onnx, metadata)
    {
        Fit = fit;
        ClassNames = classNames;
        OutputColumnName = outputColumn;
        ForegroundOnlyColumnName = foregroundOnlyColumn;
    }

    /// <summary>The prototypes: per class, the class and context centres with their classifier scores.</summary>
    public PrototypeSet Prototypes => Fit.Prototypes;

    /// <summary>The fit's per-class report: images, rows sampled, k-means convergence, selection.</summary>
    public PrototypeFitResult Fit { get; }

    /// <summary>Class names, one per class.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The LPCAM column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The LPCAM-F column, or null.</summary>
    public string? ForegroundOnlyColumnName { get; }

    /// <summary>Writes the prototypes as a numpy .npz archive (layout: docs/interchange.md).</summary>
    public void SavePrototypes(string path) => PrototypeNpz.Write(path, Prototypes, ClassNames);
}
