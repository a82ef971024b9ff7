using LpCam.MLNet.Images;

namespace LpCam.MLNet.Backbones;

/// <summary>
/// A frozen convolutional backbone that turns an RGB image into a dense feature map <c>f(x)</c> of
/// <see cref="FeatureDim"/> channels (paper notation: D channels at h x w positions, Eq. 1 of Chen and Sun, CVPR 2023).
/// </summary>
/// <remarks>
/// Every implementation takes <see cref="RgbImage"/> pixels (planar RGB, 0..255) of any size and does its own
/// normalisation and padding. Feature position (i, j) covers the input pixels
/// [i * Stride, (i + 1) * Stride) x [j * Stride, (j + 1) * Stride); the map keeps exactly the positions whose cell starts
/// inside the image, so h = ceil(H / Stride) and w = ceil(W / Stride) (see <see cref="FeatureSize"/>).
/// Implementations hold native resources (ONNX Runtime sessions): dispose them.
/// </remarks>
public interface IBackbone : IDisposable
{
    /// <summary>A short human-readable name, e.g. <c>resnet18-os32</c>.</summary>
    string Name { get; }

    /// <summary>Channels D of the feature map.</summary>
    int FeatureDim { get; }

    /// <summary>Output stride: input pixels per feature position along each axis.</summary>
    int Stride { get; }

    /// <summary>The feature-map size h x w that an image of <paramref name="imageHeight"/> x <paramref name="imageWidth"/> gives.</summary>
    (int Height, int Width) FeatureSize(int imageHeight, int imageWidth);

    /// <summary>Extracts the feature map of one image of any size.</summary>
    /// <param name="image">The image.</param>
    /// <param name="height">Rows h of the returned map.</param>
    /// <param name="width">Columns w of the returned map.</param>
    /// <returns>D x h x w values in C order (index = (d * h + y) * w + x).</returns>
    float[] Extract(RgbImage image, out int height, out int width);

    /// <summary>Extracts the feature maps of images of one size in a single batched run.</summary>
    /// <param name="sameSizeImages">At least one image; all of the same height and width.</param>
    /// <param name="height">Rows h of every returned map.</param>
    /// <param name="width">Columns w of every returned map.</param>
    /// <returns>One D x h x w map (C order) per image, in input order.</returns>
    /// <exception cref="ArgumentException">The list is empty or the images differ in size.</exception>
    IReadOnlyList<float[]> ExtractBatch(IReadOnlyList<RgbImage> sameSizeImages, out int height, out int width);
}
