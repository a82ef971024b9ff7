namespace LpCam.MLNet.Backbones;

/// <summary>
/// Linear classifier weights W (C x D, no bias) read from an ONNX initializer: the <c>w_n</c> of CAM (paper Eq. 1).
/// </summary>
public sealed class ClassifierHead
{
    /// <summary>Creates a head from row-major C x D weights.</summary>
    /// <exception cref="ArgumentException">The weight count is not <paramref name="classCount"/> x <paramref name="featureDim"/>.</exception>
    public ClassifierHead(int classCount, int featureDim, float[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != classCount * featureDim)
            throw new ArgumentException($"Expected {classCount} x {featureDim} = {classCount * featureDim} weights, got {weights.Length}.", nameof(weights));
        ClassCount = classCount;
        FeatureDim = featureDim;
        Weights = weights;
    }

    /// <summary>Classes C.</summary>
    public int ClassCount { get; }

    /// <summary>Feature channels D.</summary>
    public int FeatureDim { get; }

    /// <summary>Row-major C x D weights: index = c * D + d.</summary>
    public float[] Weights { get; }

    /// <summary>Name of the initializer the weights came from (null when built in code).</summary>
    public string? SourceName { get; init; }
}
