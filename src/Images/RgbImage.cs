using SkiaSharp;

namespace LpCam.MLNet.Images;

/// <summary>
/// An RGB image held as planar float pixels in 0..255 (channel, row, column order), the layout every backbone of this
/// library takes. Decoding and resizing use SkiaSharp, which ML.NET's image transforms also use.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Creates an image from planar RGB pixels.</summary>
    /// <param name="height">Rows; at least 1.</param>
    /// <param name="width">Columns; at least 1.</param>
    /// <param name="pixels">3 x <paramref name="height"/> x <paramref name="width"/> values, R plane first, in 0..255.</param>
    public RgbImage(int height, int width, float[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != 3 * height * width)
            throw new ArgumentException($"Expected 3 x {height} x {width} = {3 * height * width} pixel values, got {pixels.Length}.", nameof(pixels));
        Height = height;
        Width = width;
        Pixels = pixels;
    }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Planar RGB values in 0..255: index = (channel * Height + row) * Width + column.</summary>
    public float[] Pixels { get; }

    /// <summary>
    /// Decodes a JPEG, PNG or other SkiaSharp-readable file, strictly: a truncated file is an error (SkiaSharp's plain
    /// decode would return the partly decoded image).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not an image.</exception>
    public static RgbImage Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file not found: '{path}'.", path);
        using var codec = SKCodec.Create(path, out var created)
            ?? throw new InvalidDataException($"Image '{path}' could not be decoded ({created}): corrupt or not an image.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidDataException(result == SKCodecResult.IncompleteInput
                ? $"Image '{path}' is truncated (incomplete input)."
                : $"Image '{path}' could not be decoded completely ({result}).");
        return FromBitmap(bitmap);
    }

    /// <summary>Encodes the image as PNG (lossless; <paramref name="quality"/> ignored) or JPEG bytes.</summary>
    public byte[] Encode(SKEncodedImageFormat format = SKEncodedImageFormat.Png, int quality = 100)
    {
        using var bitmap = ToBitmap();
        using var data = bitmap.Encode(format, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {Height}x{Width} image as {format}.");
        return data.ToArray();
    }

    /// <summary>Returns this image resized to <paramref name="height"/> x <paramref name="width"/> with bilinear filtering.</summary>
    public RgbImage Resize(int height, int width)
    {
        if (height == Height && width == Width) return this;
        using var source = ToBitmap();
        using var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        if (!source.ScalePixels(target, SKFilterQuality.Medium))
            throw new InvalidOperationException($"Resizing a {Height}x{Width} image to {height}x{width} failed.");
        return FromBitmap(target);
    }

    /// <summary>Returns the image scaled so that its longer side is <paramref name="longSide"/>, keeping the aspect ratio.</summary>
    public RgbImage ResizeLongSide(int longSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(longSide, 1);
        double scale = (double)longSide / Math.Max(Height, Width);
        return Resize(Math.Max(1, (int)Math.Round(Height * scale)), Math.Max(1, (int)Math.Round(Width * scale)));
    }

    /// <summary>Returns the image mirrored left to right.</summary>
    public RgbImage FlipHorizontal()
    {
        var flipped = new float[Pixels.Length];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < Height; y++)
            {
                int row = (c * Height + y) * Width;
                for (int x = 0; x < Width; x++) flipped[row + x] = Pixels[row + Width - 1 - x];
            }
        return new RgbImage(Height, Width, flipped);
    }

    private static RgbImage FromBitmap(SKBitmap bitmap)
    {
        int h = bitmap.Height, w = bitmap.Width, plane = h * w;
        var pixels = new float[3 * plane];
        using var rgba = bitmap.ColorType == SKColorType.Rgba8888 ? null : bitmap.Copy(SKColorType.Rgba8888);
        ReadOnlySpan<byte> bytes = (rgba ?? bitmap).GetPixelSpan();
        for (int i = 0; i < plane; i++)
        {
            pixels[i] = bytes[4 * i];
            pixels[plane + i] = bytes[4 * i + 1];
            pixels[2 * plane + i] = bytes[4 * i + 2];
        }
        return new RgbImage(h, w, pixels);
    }

    private SKBitmap ToBitmap()
    {
        int plane = Height * Width;
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var bytes = new byte[4 * plane];
        for (int i = 0; i < plane; i++)
        {
            bytes[4 * i] = ToByte(Pixels[i]);
            bytes[4 * i + 1] = ToByte(Pixels[plane + i]);
            bytes[4 * i + 2] = ToByte(Pixels[2 * plane + i]);
            bytes[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        return bitmap;
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
}
