using LpCam.MLNet.Images;

namespace LpCam.MLNet.Backbones;

/// <summary>
/// The padding and cropping rule shared by the ONNX backbones: pad bottom/right to a multiple, run, keep the feature
/// positions whose stride cell starts inside the image.
/// </summary>
public static class FeatureGrid
{
    /// <summary>Feature positions along an axis of <paramref name="pixels"/> pixels: ceil(pixels / stride).</summary>
    public static int Cells(int pixels, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pixels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        return (pixels + stride - 1) / stride;
    }

    /// <summary><paramref name="pixels"/> rounded up to a multiple of <paramref name="multiple"/>.</summary>
    public static int Padded(int pixels, int multiple)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pixels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiple, 1);
        return (pixels + multiple - 1) / multiple * multiple;
    }

    /// <summary>
    /// Builds the normalised, padded input tensor [B, 3, Hp, Wp] of same-size images: padding uses
    /// <see cref="BackboneOnnxModel.PadPixelRgb"/>, then <see cref="BackboneOnnxModel.Normalization"/> applies to every pixel.
    /// </summary>
    internal static float[] BuildInput(IReadOnlyList<RgbImage> images, BackboneOnnxModel model, out int paddedHeight, out int paddedWidth)
    {
        int h = images[0].Height, w = images[0].Width;
        int hp = Padded(h, model.PadMultiple), wp = Padded(w, model.PadMultiple);
        int plane = hp * wp;
        var data = new float[images.Count * 3 * plane];
        var norm = model.Normalization;
        for (int b = 0; b < images.Count; b++)
        {
            float[] src = images[b].Pixels;
            for (int k = 0; k < 3; k++)
            {
                int c = norm.SourceChannel(k);
                float mean = norm.Mean[k], scale = 1f / norm.Std[k];
                float pad = (model.PadPixelRgb[c] - mean) * scale;
                var dst = data.AsSpan((b * 3 + k) * plane, plane);
                if (hp != h || wp != w) dst.Fill(pad);
                for (int y = 0; y < h; y++)
                {
                    var row = src.AsSpan((c * h + y) * w, w);
                    var outRow = dst.Slice(y * wp, w);
                    for (int x = 0; x < w; x++) outRow[x] = (row[x] - mean) * scale;
                }
            }
        }
        paddedHeight = hp;
        paddedWidth = wp;
        return data;
    }

    /// <summary>Copies image <paramref name="b"/>'s top-left <paramref name="h"/> x <paramref name="w"/> window out of a [B, D, Hf, Wf] map.</summary>
    internal static float[] Crop(ReadOnlySpan<float> maps, int b, int d, int hf, int wf, int h, int w)
    {
        var result = new float[d * h * w];
        int mapSize = d * hf * wf;
        for (int c = 0; c < d; c++)
            for (int y = 0; y < h; y++)
                maps.Slice(b * mapSize + (c * hf + y) * wf, w).CopyTo(result.AsSpan((c * h + y) * w, w));
        return result;
    }
}
