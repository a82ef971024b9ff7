using LpCam.MLNet.Images;
using SkiaSharp;

namespace LpCam.MLNet.Reporting;

/// <summary>
/// Pictures of maps and masks for reports: a jet-coloured heatmap blended over the image, VOC-coloured masks, thumbnails
/// and PNG encoding.
/// </summary>
public static class Overlay
{
    private static readonly byte[] Palette = Data.VocPalette.ColormapBytes();

    /// <summary>The default blend weight of the heatmap over the image.</summary>
    public const float DefaultAlpha = 0.5f;

    /// <summary>The default longer side of a thumbnail, in pixels.</summary>
    public const int DefaultThumbnailSide = 160;

    /// <summary>The jet colour of <paramref name="value"/>: dark blue at 0, cyan, yellow, dark red at 1. Values outside
    /// [0, 1] are clamped; NaN is black.</summary>
    public static (byte R, byte G, byte B) JetColor(float value)
    {
        if (float.IsNaN(value))
            return (0, 0, 0);
        float v = Math.Clamp(value, 0f, 1f);
        return (Channel(1.5f - MathF.Abs(4f * v - 3f)), Channel(1.5f - MathF.Abs(4f * v - 2f)), Channel(1.5f - MathF.Abs(4f * v - 1f)));
    }

    /// <summary>Blends the jet colours of a map in [0, 1] over an image.</summary>
    /// <param name="image">The image.</param>
    /// <param name="map">Row-major values, usually in [0, 1], of <paramref name="mapHeight"/> x <paramref name="mapWidth"/>;
    /// resized bilinearly to the image when the sizes differ.</param>
    /// <param name="mapHeight">Rows of the map.</param>
    /// <param name="mapWidth">Columns of the map.</param>
    /// <param name="alpha">Weight of the heatmap, 0..1 (0 shows only the image).</param>
    /// <returns>A new image of the image's size.</returns>
    /// <exception cref="ArgumentException">The map length is not <paramref name="mapHeight"/> x <paramref name="mapWidth"/>,
    /// or alpha is outside [0, 1].</exception>
    public static RgbImage Heatmap(RgbImage image, ReadOnlySpan<float> map, int mapHeight, int mapWidth, float alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(image);
        CheckSize(map.Length, mapHeight, mapWidth, nameof(map));
        if (!(alpha >= 0 && alpha <= 1))
            throw new ArgumentException($"Alpha {alpha} is not allowed; expected a value in [0, 1].", nameof(alpha));
        int h = image.Height, w = image.Width, plane = h * w;
        float[] values = mapHeight == h && mapWidth == w ? map.ToArray() : ResizeBilinear(map, mapHeight, mapWidth, h, w);
        var source = image.Pixels;
        var pixels = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            var (r, g, b) = JetColor(values[i]);
            pixels[i] = (1 - alpha) * source[i] + alpha * r;
            pixels[plane + i] = (1 - alpha) * source[plane + i] + alpha * g;
            pixels[2 * plane + i] = (1 - alpha) * source[2 * plane + i] + alpha * b;
        }
        return new RgbImage(h, w, pixels);
    }

    /// <summary>Blends a map of the image's size over the image and encodes the result as PNG.</summary>
    /// <inheritdoc cref="Heatmap(RgbImage, ReadOnlySpan{float}, int, int, float)"/>
    public static byte[] HeatmapPng(RgbImage image, ReadOnlySpan<float> map, float alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(image);
        return EncodePng(Heatmap(image, map, image.Height, image.Width, alpha));
    }

    /// <summary>The pixel-wise maximum over k maps of <paramref name="height"/> x <paramref name="width"/>: one picture of a
    /// multi-class image. With no map (k = 0) every value is 0.</summary>
    /// <exception cref="ArgumentException">The length is not a multiple of <paramref name="height"/> x <paramref name="width"/>.</exception>
    public static float[] MaxOverMaps(ReadOnlySpan<float> maps, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        int plane = height * width;
        if (maps.Length % plane != 0)
            throw new ArgumentException($"The maps hold {maps.Length} values; expected a multiple of {height} x {width} = {plane}.", nameof(maps));
        var result = new float[plane];
        for (int k = 0; k * plane < maps.Length; k++)
        {
            var map = maps.Slice(k * plane, plane);
            for (int i = 0; i < plane; i++)
                if (k == 0 || map[i] > result[i])
                    result[i] = map[i];
        }
        return result;
    }

    /// <summary>A mask drawn in the VOC colours (<see cref="VocColors"/>).</summary>
    /// <param name="mask">One label per pixel, row-major.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <exception cref="ArgumentException">The mask length is not <paramref name="height"/> x <paramref name="width"/>.</exception>
    public static RgbImage Mask(ReadOnlySpan<byte> mask, int height, int width)
    {
        CheckSize(mask.Length, height, width, nameof(mask));
        int plane = height * width;
        var pixels = new float[3 * plane];
        var colours = Palette;
        for (int i = 0; i < plane; i++)
        {
            int c = 3 * mask[i];
            pixels[i] = colours[c];
            pixels[plane + i] = colours[c + 1];
            pixels[2 * plane + i] = colours[c + 2];
        }
        return new RgbImage(height, width, pixels);
    }

    /// <summary>The size (height, width) of a thumbnail whose longer side is at most <paramref name="maxSide"/>; images
    /// already that small keep their size.</summary>
    public static (int Height, int Width) ThumbnailSize(int height, int width, int maxSide = DefaultThumbnailSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        int longer = Math.Max(height, width);
        if (longer <= maxSide)
            return (height, width);
        double scale = (double)maxSide / longer;
        return (Math.Max(1, (int)Math.Round(height * scale)), Math.Max(1, (int)Math.Round(width * scale)));
    }

    /// <summary>The image scaled (bilinear) so that its longer side is at most <paramref name="maxSide"/>.</summary>
    public static RgbImage Thumbnail(RgbImage image, int maxSide = DefaultThumbnailSide)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (h, w) = ThumbnailSize(image.Height, image.Width, maxSide);
        return image.Resize(h, w);
    }

    /// <summary>Encodes an image as an 8-bit RGB PNG.</summary>
    public static byte[] EncodePng(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Encode(SKEncodedImageFormat.Png);
    }

    /// <summary>Encodes an image as PNG and writes it to <paramref name="path"/> atomically.</summary>
    public static void WritePng(string path, RgbImage image) => ReportFiles.WriteAllBytes(path, EncodePng(image));

    internal static float[] ResizeBilinear(ReadOnlySpan<float> map, int height, int width, int newHeight, int newWidth)
    {
        var result = new float[newHeight * newWidth];
        double sy = (double)height / newHeight, sx = (double)width / newWidth;
        for (int y = 0; y < newHeight; y++)
        {
            double fy = Math.Clamp((y + 0.5) * sy - 0.5, 0, height - 1);
            int y0 = (int)fy, y1 = Math.Min(y0 + 1, height - 1);
            float wy = (float)(fy - y0);
            for (int x = 0; x < newWidth; x++)
            {
                double fx = Math.Clamp((x + 0.5) * sx - 0.5, 0, width - 1);
                int x0 = (int)fx, x1 = Math.Min(x0 + 1, width - 1);
                float wx = (float)(fx - x0);
                float top = map[y0 * width + x0] * (1 - wx) + map[y0 * width + x1] * wx;
                float bottom = map[y1 * width + x0] * (1 - wx) + map[y1 * width + x1] * wx;
                result[y * newWidth + x] = top * (1 - wy) + bottom * wy;
            }
        }
        return result;
    }

    private static void CheckSize(int length, int height, int width, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (length != (long)height * width)
            throw new ArgumentException($"Expected {height} x {width} = {(long)height * width} values, got {length}.", paramName);
    }

    private static byte Channel(float v) => (byte)MathF.Round(255f * Math.Clamp(v, 0f, 1f));

}
