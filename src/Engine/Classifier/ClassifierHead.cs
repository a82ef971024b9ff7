namespace LpCam.MLNet.Engine.Classifier;

/// <summary>
/// The CAM classifier: a bias-free linear layer W (C x D), i.e. the 1x1 convolution of CAM. Applied at every position
/// of a feature map it gives A_n = w_n . f(x) (paper Eq. 1); applied to the globally average-pooled features it gives the
/// image logits, which equal the spatial mean of the A_n maps because pooling is linear.
/// The weights apply to <b>raw</b> backbone features: the trainer does no standardisation.
/// </summary>
public sealed class ClassifierHead
{
    /// <summary>Creates a head from row-major weights.</summary>
    /// <param name="classCount">C, at least 1.</param>
    /// <param name="featureDim">D, at least 1.</param>
    /// <param name="weights">C x D values, row n = w_n; finite.</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite weight.</exception>
    public ClassifierHead(int classCount, int featureDim, float[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != (long)classCount * featureDim)
            throw new ArgumentException($"Expected C x D = {classCount} x {featureDim} = {(long)classCount * featureDim} weights, got {weights.Length}.", nameof(weights));
        for (int i = 0; i < weights.Length; i++)
            if (!float.IsFinite(weights[i]))
                throw new ArgumentException($"Weight {i} (class {i / featureDim}, channel {i % featureDim}) is {weights[i]}; weights must be finite.", nameof(weights));
        ClassCount = classCount;
        FeatureDim = featureDim;
        Weights = weights;
    }

    /// <summary>C, the number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>D, the number of feature channels.</summary>
    public int FeatureDim { get; }

    /// <summary>W as C x D values, row-major: index = n * D + d.</summary>
    public float[] Weights { get; }

    /// <summary>Where the weights came from, for example the ONNX initializer they were read from (null when trained or built in code).</summary>
    public string? SourceName { get; init; }

    /// <summary>Logits w_n . f for one pooled feature vector (or one position of a feature map).</summary>
    /// <exception cref="ArgumentException"><paramref name="pooled"/> does not have D values.</exception>
    public float[] Logits(ReadOnlySpan<float> pooled)
    {
        if (pooled.Length != FeatureDim)
            throw new ArgumentException($"Expected a feature vector of length D = {FeatureDim}, got {pooled.Length}.", nameof(pooled));
        var logits = new float[ClassCount];
        for (int n = 0; n < ClassCount; n++)
        {
            ReadOnlySpan<float> w = Weights.AsSpan(n * FeatureDim, FeatureDim);
            double sum = 0;
            for (int d = 0; d < FeatureDim; d++) sum += (double)w[d] * pooled[d];
            logits[n] = (float)sum;
        }
        return logits;
    }

    /// <summary>Sigmoid probabilities of every class for one pooled feature vector.</summary>
    /// <exception cref="ArgumentException"><paramref name="pooled"/> does not have D values.</exception>
    public float[] Scores(ReadOnlySpan<float> pooled)
    {
        var logits = Logits(pooled);
        for (int n = 0; n < logits.Length; n++) logits[n] = 1f / (1f + MathF.Exp(-logits[n]));
        return logits;
    }

    /// <summary>Sigmoid probabilities for every row of <paramref name="pooled"/> (N x D), as N x C.</summary>
    public float[][] Scores(IReadOnlyList<float[]> pooled)
    {
        ArgumentNullException.ThrowIfNull(pooled);
        var scores = new float[pooled.Count][];
        for (int i = 0; i < scores.Length; i++) scores[i] = Scores(pooled[i]);
        return scores;
    }
}
