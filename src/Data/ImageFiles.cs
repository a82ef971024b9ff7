using LpCam.MLNet.Images;
using SkiaSharp;

namespace LpCam.MLNet.Data;

/// <summary>Image files of a dataset folder: finding NAME.jpg/.png, reading sizes, strict decoding.</summary>
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

    /// <summary>Decodes the whole image; a truncated or corrupt file is an error (see <see cref="RgbImage.Load"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or not an image.</exception>
    public static RgbImage Decode(string path) => RgbImage.Load(path);

    /// <summary>Encodes <paramref name="image"/> as PNG (lossless) or JPEG bytes.</summary>
    public static byte[] Encode(RgbImage image, SKEncodedImageFormat format, int quality) => image.Encode(format, quality);
}
