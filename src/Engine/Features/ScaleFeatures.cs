using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Features;

/// <summary>
/// The backbone's feature maps of a batch of images at one inference scale: of the images themselves and, optionally, of
/// their horizontally flipped copies (still flipped: the map methods un-flip them).
/// </summary>
/// <remarks>The tensors are borrowed, not owned: the caller disposes them.</remarks>
public sealed class ScaleFeatures
{
    /// <summary>Creates the features of one scale.</summary>
    /// <param name="features">[B, D, h, w] float32 feature maps.</param>
    /// <param name="flippedFeatures">[B, D, h, w] feature maps of the flipped images, or null for no flip.</param>
    public ScaleFeatures(Tensor features, Tensor? flippedFeatures = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        TensorChecks.Rank(features, 4, "features", "[B, D, h, w]");
        if (flippedFeatures is not null)
        {
            TensorChecks.Rank(flippedFeatures, 4, "flippedFeatures", "[B, D, h, w]");
            if (!flippedFeatures.shape.SequenceEqual(features.shape))
                throw new ArgumentException(
                    $"Tensor 'flippedFeatures' has shape {TensorChecks.Shape(flippedFeatures)}; expected the shape of 'features', {TensorChecks.Shape(features)}.",
                    nameof(flippedFeatures));
        }
        Features = features;
        FlippedFeatures = flippedFeatures;
    }

    /// <summary>[B, D, h, w] feature maps of the images.</summary>
    public Tensor Features { get; }

    /// <summary>[B, D, h, w] feature maps of the flipped images (not un-flipped), or null.</summary>
    public Tensor? FlippedFeatures { get; }
}
