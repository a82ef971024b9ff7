using LpCam.MLNet.Images;
using SkiaSharp;

namespace LpCam.MLNet.Data;

/// <summary>
/// Strict image decoding: unlike <see cref="RgbImage.Load"/>, a truncated file is an error here (SkiaSharp's plain decode
/// returns the partly decoded image of a truncated JPEG).
/// </summary>
internal static class ImageFiles
{
    /// <summary>Extensions tried, in order, for an image named NAME.</summary>
    public static readonly string[] Extensions = { ".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG" };

    /// <summary>The file NAME + the first extension that exists in <paramref name="folder"/>, or null.</summary>
    public static string? Find(string folder, string name)
    {
        foreach (var ext in Extensions)
        {
            var path = Path.Combine(folder, name + ext);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>The image's size from its header.</summary>
    /// <exception cref="InvalidDataException">Not a decodable image.</exception>
    public static (int Height, int Width) ReadSize(string path)
    {
        using var codec = SKCodec.Create(path, out var result)
            ?? throw new InvalidDataException($"Image '{path}' could not be decoded ({result}): corrupt or not an image.");
        return (codec.Info.Height, codec.Info.Width);
    }

    /// <summary>Decodes the whole image; any decoder result other than success is an error.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not an image.</exception>
    public static RgbImage Decode(string path)
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
        int h = info.Height, w = info.Width, plane = h * w;
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        var pixels = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            pixels[i] = rgba[4 * i];
            pixels[plane + i] = rgba[4 * i + 1];
            pixels[2 * plane + i] = rgba[4 * i + 2];
        }
        return new RgbImage(h, w, pixels);
    }

    /// <summary>Encodes <paramref name="image"/> as PNG (lossless) or JPEG bytes.</summary>
    public static byte[] Encode(RgbImage image, SKEncodedImageFormat format, int quality)
    {
        int plane = image.Height * image.Width;
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var bytes = new byte[4 * plane];
        var p = image.Pixels;
        for (int i = 0; i < plane; i++)
        {
            bytes[4 * i] = ToByte(p[i]);
            bytes[4 * i + 1] = ToByte(p[plane + i]);
            bytes[4 * i + 2] = ToByte(p[2 * plane + i]);
            bytes[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var data = bitmap.Encode(format, quality)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode a {image.Height}x{image.Width} image as {format}.");
        return data.ToArray();
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
}
