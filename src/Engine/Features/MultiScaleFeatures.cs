using LpCam.MLNet.Images;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Features;

/// <summary>
/// Runs a feature extractor over an image at each inference scale (and its flip), giving the <see cref="ScaleFeatures"/>
/// that the map methods aggregate. The extractor is any function from a batch of same-size images to their
/// [B, D, h, w] feature maps, so the engine does not depend on how features are computed (ONNX Runtime, TorchSharp).
/// </summary>
public sealed class MultiScaleFeatures : IDisposable
{
    private readonly List<Tensor> _owned = new();

    private MultiScaleFeatures(IReadOnlyList<ScaleFeatures> scales) => Scales = scales;

    /// <summary>The features at each scale; owned by this object.</summary>
    public IReadOnlyList<ScaleFeatures> Scales { get; }

    /// <summary>Extracts the features of <paramref name="image"/> at every scale of <paramref name="scales"/>.</summary>
    /// <param name="image">The image at its original size.</param>
    /// <param name="scales">Scales and flip.</param>
    /// <param name="extract">Maps a batch of same-size images to a new [B, D, h, w] float32 tensor that this object then owns.</param>
    public static MultiScaleFeatures Extract(RgbImage image, InferenceScales scales, Func<IReadOnlyList<RgbImage>, Tensor> extract)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(scales);
        ArgumentNullException.ThrowIfNull(extract);
        var owned = new List<Tensor>();
        var list = new List<ScaleFeatures>();
        try
        {
            foreach (double s in scales.Scales)
            {
                var (h, w) = InferenceScales.ScaledSize(image.Height, image.Width, s);
                var scaled = image.Resize(h, w);
                if (scales.Flip)
                {
                    // One batch of two: the image and its mirror image.
                    var both = extract(new[] { scaled, scaled.FlipHorizontal() });
                    owned.Add(both);
                    var f = both.narrow(0, 0, 1);
                    var flipped = both.narrow(0, 1, 1);
                    owned.Add(f);
                    owned.Add(flipped);
                    list.Add(new ScaleFeatures(f, flipped));
                }
                else
                {
                    var f = extract(new[] { scaled });
                    owned.Add(f);
                    list.Add(new ScaleFeatures(f));
                }
            }
        }
        catch
        {
            foreach (var t in owned) t.Dispose();
            throw;
        }
        var result = new MultiScaleFeatures(list);
        result._owned.AddRange(owned);
        return result;
    }

    /// <summary>Wraps features computed earlier at one scale (and its flip); this object takes ownership of the tensors.</summary>
    /// <param name="features">[B, D, h, w] features of the images.</param>
    /// <param name="flippedFeatures">[B, D, h, w] features of the flipped images (still flipped), or null.</param>
    public static MultiScaleFeatures FromCached(Tensor features, Tensor? flippedFeatures = null)
    {
        var result = new MultiScaleFeatures(new[] { new ScaleFeatures(features, flippedFeatures) });
        result._owned.Add(features);
        if (flippedFeatures is not null) result._owned.Add(flippedFeatures);
        return result;
    }

    /// <summary>
    /// Wraps features computed earlier at several scales (each with its flip or null), in the order the map methods sum
    /// them; this object takes ownership of every tensor.
    /// </summary>
    /// <param name="scales">Per scale: [B, D, h, w] features and the [B, D, h, w] features of the flipped images (still
    /// flipped), or null; at least one scale.</param>
    /// <exception cref="ArgumentException">No scale was given.</exception>
    public static MultiScaleFeatures FromCached(IReadOnlyList<(Tensor Features, Tensor? FlippedFeatures)> scales)
    {
        ArgumentNullException.ThrowIfNull(scales);
        if (scales.Count == 0) throw new ArgumentException("Expected the features of at least one scale.", nameof(scales));
        var result = new MultiScaleFeatures(scales.Select(s => new ScaleFeatures(s.Features, s.FlippedFeatures)).ToList());
        foreach (var (f, flipped) in scales)
        {
            result._owned.Add(f);
            if (flipped is not null) result._owned.Add(flipped);
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }
}
