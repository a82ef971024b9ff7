using SkiaSharp;

namespace LpCam.MLNet.Tests.Data;

/// <summary>PNG files built with SkiaSharp for the decoder tests.</summary>
internal static class MaskPngs
{
    /// <summary>An RGBA PNG whose pixel i has the colour <paramref name="color"/>(mask[i]).</summary>
    public static byte[] EncodeRgb(byte[] mask, int height, int width, Func<byte, (byte R, byte G, byte B)> color)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int i = 0; i < mask.Length; i++)
        {
            var (r, g, b) = color(mask[i]);
            bitmap.SetPixel(i % width, i / width, new SKColor(r, g, b, 255));
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>An 8-bit grayscale PNG holding the values themselves.</summary>
    public static byte[] EncodeGray(byte[] mask, int height, int width)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(mask, 0, bitmap.GetPixels(), mask.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
