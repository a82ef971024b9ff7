namespace LpCam.MLNet.Backbones;

/// <summary>
/// How a backbone's input tensor is computed from <see cref="Images.RgbImage"/> pixels (planar RGB, 0..255):
/// input channel k = (pixel[source channel of k] - <see cref="Mean"/>[k]) / <see cref="Std"/>[k].
/// </summary>
/// <remarks>
/// <see cref="Mean"/> and <see cref="Std"/> are given in the model's channel order and in 0..255 units. The pixel that maps
/// to an all-zero input (<see cref="ZeroPixelRgb"/>) is what images are padded with, so that padding looks like the zero
/// padding of the first convolution.
/// </remarks>
public sealed class PixelNormalization
{
    /// <summary>Creates a normalisation.</summary>
    /// <param name="bgr">True when the model takes channels in B, G, R order.</param>
    /// <param name="mean">Three means in the model's channel order, 0..255 units.</param>
    /// <param name="std">Three standard deviations in the model's channel order, 0..255 units; all positive.</param>
    /// <exception cref="ArgumentException">Not three values, or a non-positive or non-finite standard deviation.</exception>
    public PixelNormalization(bool bgr, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count != 3) throw new ArgumentException($"Expected 3 channel means, got {mean.Count}.", nameof(mean));
        if (std.Count != 3) throw new ArgumentException($"Expected 3 channel standard deviations, got {std.Count}.", nameof(std));
        if (mean.Any(m => !float.IsFinite(m))) throw new ArgumentException($"Channel means must be finite, got [{string.Join(", ", mean)}].", nameof(mean));
        if (std.Any(s => !(s > 0) || !float.IsFinite(s)))
            throw new ArgumentException($"Channel standard deviations must be positive and finite, got [{string.Join(", ", std)}].", nameof(std));
        Bgr = bgr;
        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    /// <summary>True when the model's channel order is B, G, R.</summary>
    public bool Bgr { get; }

    /// <summary>Channel means in the model's channel order, 0..255 units.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Channel standard deviations in the model's channel order, 0..255 units.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <summary>RGB pixels 0..255 passed through unchanged (models that normalise inside their graph).</summary>
    public static PixelNormalization Identity { get; } = new(false, [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>
    /// torchvision's ImageNet normalisation: RGB scaled to 0..1, minus (0.485, 0.456, 0.406), divided by
    /// (0.229, 0.224, 0.225).
    /// </summary>
    public static PixelNormalization ImageNet { get; } =
        new(false, [0.485f * 255f, 0.456f * 255f, 0.406f * 255f], [0.229f * 255f, 0.224f * 255f, 0.225f * 255f]);

    /// <summary>Caffe/CNTK style: B, G, R order, 0..255, minus per-channel means given in B, G, R order.</summary>
    public static PixelNormalization BgrMinusMean(IReadOnlyList<float> meanBgr) => new(true, meanBgr, [1f, 1f, 1f]);

    /// <summary>Index of the RGB channel (0 = R) that feeds the model's input channel <paramref name="k"/>.</summary>
    public int SourceChannel(int k) => Bgr ? 2 - k : k;

    /// <summary>The RGB pixel (0..255) whose normalised value is zero in every channel: the padding value.</summary>
    public IReadOnlyList<float> ZeroPixelRgb
    {
        get
        {
            var rgb = new float[3];
            for (int k = 0; k < 3; k++) rgb[SourceChannel(k)] = Mean[k];
            return rgb;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{(Bgr ? "BGR" : "RGB")} 0..255, mean [{string.Join(", ", Mean)}], std [{string.Join(", ", Std)}]";
}
