using Microsoft.ML;

namespace LpCam.MLNet.Transforms;

/// <summary>The fitted <see cref="Estimators.SeedMaskEstimator"/>: maps + classes -> seed mask, as an ONNX graph.</summary>
public sealed class SeedMaskTransformer : OnnxBackedTransformer
{
    internal SeedMaskTransformer(ITransformer onnx, IReadOnlyDictionary<string, string> metadata, int classCount, int height, int width, float threshold)
        : base(onnx, metadata)
    {
        ClassCount = classCount;
        Height = height;
        Width = width;
        Threshold = threshold;
    }

    /// <summary>Number of object classes C.</summary>
    public int ClassCount { get; }

    /// <summary>Mask height H.</summary>
    public int Height { get; }

    /// <summary>Mask width W.</summary>
    public int Width { get; }

    /// <summary>The background threshold.</summary>
    public float Threshold { get; }
}
