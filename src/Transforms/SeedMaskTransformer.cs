using LpCam.MLNet.Onnx;
using LpCam.MLNet.Estimators;
using Microsoft.ML;

namespace LpCam.MLNet.Transforms;

/// <summary>The fitted <see cref="Estimators.SeedMaskEstimator"/>: maps + classes -> seed mask, as an ONNX graph.</summary>
/// <remarks>
/// A NaN or an infinity in a row's maps or classes is refused, not turned into seed labels: the compiled graph carries a
/// guard (also after <c>Model.Load</c>), and ONNX Runtime stops that row with an error whose failing node reads
/// "LpCam input check: column 'LpCam' holds NaN or an infinity; expected finite class maps" (or "... multi-hot labels" /
/// "... class scores" for the classes column); ML.NET wraps it in its own exception.
/// <para>After <c>Model.Load</c> this component is ML.NET's <c>OnnxTransformer</c> running the same graph;
/// <see cref="LpCamModelInfo.ReadContents"/> reads its threshold back from the zip.</para>
/// </remarks>
public sealed class SeedMaskTransformer : OnnxBackedTransformer
{
    internal SeedMaskTransformer(ITransformer onnx, IReadOnlyDictionary<string, string> metadata, int classCount, float threshold, SeedClasses classes)
        : base(onnx, metadata)
    {
        ClassCount = classCount;
        Threshold = threshold;
        Classes = classes;
    }

    /// <summary>Number of object classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The background threshold.</summary>
    public float Threshold { get; }

    /// <summary>Which classes the seeds are made for.</summary>
    public SeedClasses Classes { get; }
}
