using LpCam.MLNet.Images;

namespace LpCam.MLNet.FineTuning;

/// <summary>Where a window of an image goes in a batch tensor: from (SourceTop, SourceLeft) of the image to (TargetTop, TargetLeft).</summary>
internal readonly record struct ImagePlacement(RgbImage Image, int SourceTop, int SourceLeft, int TargetTop, int TargetLeft);

/// <summary>Builds planar [N, 3, H, W] batches of RGB 0..255 images placed on a canvas of a fill pixel.</summary>
internal static class ImageBatch
{
    /// <summary>
    /// A [N, 3, <paramref name="height"/>, <paramref name="width"/>] buffer filled with <paramref name="fillRgb"/>, with
    /// each image's window copied in (as much as fits on both sides).
    /// </summary>
    public static float[] Place(IReadOnlyList<ImagePlacement> items, int height, int width, IReadOnlyList<float> fillRgb)
    {
        int plane = height * width;
        var data = new float[items.Count * 3 * plane];
        for (int b = 0; b < items.Count; b++)
        {
            var (image, sy, sx, dy, dx) = items[b];
            int rows = Math.Min(image.Height - sy, height - dy), cols = Math.Min(image.Width - sx, width - dx);
            for (int c = 0; c < 3; c++)
            {
                var dst = data.AsSpan((b * 3 + c) * plane, plane);
                dst.Fill(fillRgb[c]);
                for (int y = 0; y < rows; y++)
                    image.Pixels.AsSpan((c * image.Height + sy + y) * image.Width + sx, cols).CopyTo(dst.Slice((dy + y) * width + dx, cols));
            }
        }
        return data;
    }

    /// <summary>
    /// Feature maps of same-size images of any size, as <see cref="Backbones.OnnxBackbone"/> computes them: padded
    /// bottom/right to <paramref name="padMultiple"/> with <paramref name="padPixelRgb"/>, run by <paramref name="forward"/>,
    /// cropped to ceil(H / stride) x ceil(W / stride).
    /// </summary>
    public static TorchSharp.torch.Tensor PaddedFeatures(IReadOnlyList<Images.RgbImage> sameSizeImages, int padMultiple, IReadOnlyList<float> padPixelRgb,
        int stride, TorchSharp.torch.Device device, Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> forward)
    {
        ArgumentNullException.ThrowIfNull(sameSizeImages);
        if (sameSizeImages.Count == 0) throw new ArgumentException("Expected at least one image.", nameof(sameSizeImages));
        int h = sameSizeImages[0].Height, w = sameSizeImages[0].Width;
        if (sameSizeImages.Any(i => i.Height != h || i.Width != w))
            throw new ArgumentException("All images of a batch must have one size.", nameof(sameSizeImages));
        using var scope = TorchSharp.torch.NewDisposeScope();
        int hp = Backbones.FeatureGrid.Padded(h, padMultiple), wp = Backbones.FeatureGrid.Padded(w, padMultiple);
        var batch = Place(sameSizeImages.Select(i => new ImagePlacement(i, 0, 0, 0, 0)).ToList(), hp, wp, padPixelRgb);
        using var input = TorchSharp.torch.tensor(batch, [sameSizeImages.Count, 3, hp, wp], device: device);
        var features = forward(input);
        return features[.., .., ..Backbones.FeatureGrid.Cells(h, stride), ..Backbones.FeatureGrid.Cells(w, stride)].contiguous().MoveToOuterDisposeScope();
    }
}
