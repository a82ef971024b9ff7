using LpCam.MLNet.Engine.Features;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Cam;

/// <summary>
/// CAM (paper Eq. 1): <c>A_n = w_n . f(x)</c> at every position, with bias-free classifier weights W [C, D];
/// <c>CAM_n = ReLU(A_n) / (max ReLU(A_n) + eps)</c>.
/// </summary>
/// <remarks>
/// Multi-scale + flip as in the reference: per scale, the ReLU map of the image plus the un-flipped ReLU map of the flipped
/// image; resize; sum over scales; normalise by the max (see <see cref="ActivationMapMethod"/>).
/// </remarks>
public sealed class ClassActivationMap : ActivationMapMethod, IDisposable
{
    private readonly Tensor _weights;

    /// <summary>Creates CAM from classifier weights.</summary>
    /// <param name="weights">[C, D] float32, no bias; copied, so the caller keeps ownership of its tensor.</param>
    public ClassActivationMap(Tensor weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        TensorChecks.Rank(weights, 2, "weights", "[C, D]");
        TensorChecks.Finite(weights, "weights");
        _weights = weights.detach().clone();
    }

    /// <summary>Creates CAM from row-major weights C x D on <paramref name="device"/> (CPU when null).</summary>
    public static ClassActivationMap FromWeights(float[] weights, int classCount, int featureDim, Device? device = null)
    {
        using var w = FromArray(weights, classCount, featureDim, device);
        return new ClassActivationMap(w);
    }

    /// <inheritdoc />
    public override int ClassCount => (int)_weights.shape[0];

    /// <inheritdoc />
    public override int FeatureDim => (int)_weights.shape[1];

    /// <summary>Raw class scores <c>A = W . f</c> [B, k, h, w] of features [B, D, h, w] (no ReLU).</summary>
    public Tensor Scores(Tensor features, Tensor classIndex)
    {
        using var scope = NewDisposeScope();
        var w = _weights.index_select(0, classIndex).to(features.device);
        return einsum("kd,bdhw->bkhw", w, features).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor ScaleMaps(ScaleFeatures scale, Tensor classIndex)
    {
        var maps = nn.functional.relu(Scores(scale.Features, classIndex));
        if (scale.FlippedFeatures is { } flipped)
            maps = maps.add_(nn.functional.relu(Scores(flipped, classIndex)).flip(3));
        return maps;
    }

    /// <inheritdoc />
    public void Dispose() => _weights.Dispose();

    private static Tensor FromArray(float[] weights, int classCount, int featureDim, Device? device)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length != (long)classCount * featureDim)
            throw new ArgumentException($"Expected {classCount} x {featureDim} = {classCount * featureDim} classifier weights, got {weights.Length}.", nameof(weights));
        return tensor(weights, new long[] { classCount, featureDim }, device: device ?? CPU);
    }
}
