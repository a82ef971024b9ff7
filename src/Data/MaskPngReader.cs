namespace LpCam.MLNet.Data;

/// <summary>
/// Turns the samples of a mask PNG into labels (0 = background, c + 1 = class c, 255 = ignore), by colour type:
/// <list type="bullet">
/// <item>palette, 1/2/4/8-bit: the palette index is the label (the VOC format; the palette's colours are not used);</item>
/// <item>grayscale, 1/2/4/8-bit: the stored value is the label (no scaling: a 1-bit mask holds labels 0 and 1);</item>
/// <item>grayscale, 16-bit: the value is the label when every value is at most 255; any larger value is refused (a 16-bit
/// mask scaled from 8 bits, 255 stored as 65535, would otherwise turn into wrong labels);</item>
/// <item>grayscale+alpha, 8/16-bit: as grayscale when every pixel is fully opaque; a transparent pixel is refused;</item>
/// <item>RGB, 8-bit: each colour is mapped back to its index in the VOC colour map (<see cref="VocPalette.Color"/>); a colour
/// outside the map is refused;</item>
/// <item>RGB, 16-bit: as 8-bit RGB when every sample is an 8-bit value widened to 16 bits (v x 257); otherwise refused;</item>
/// <item>RGBA, 8/16-bit: as RGB when every pixel is fully opaque; a transparent pixel is refused.</item>
/// </list>
/// Interlaced files decode like the others. Every refusal is an <see cref="InvalidDataException"/> naming the file, its bit
/// depth and colour type, the first offending pixel and value, and what is expected.
/// </summary>
internal static class MaskPngReader
{
    private const string Expected = "expected an 8-bit palette PNG whose indices are the labels (as VOC writes), a grayscale PNG holding the labels, or an RGB PNG in VOC colours";

    /// <summary>The labels of a mask PNG held in memory.</summary>
    /// <param name="png">The file's bytes.</param>
    /// <param name="source">The file name used in messages.</param>
    /// <exception cref="InvalidDataException">Not a readable PNG, or a flavour or value with no label meaning.</exception>
    public static (byte[] Mask, int Height, int Width) Read(byte[] png, string source)
    {
        PngRaster raster;
        try
        {
            raster = PngDecoder.Decode(png);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Mask '{source}' is not a readable PNG: {e.Message}", e);
        }
        var mask = raster.ColorType switch
        {
            PngColorType.Palette or PngColorType.Grayscale or PngColorType.GrayscaleAlpha => Gray(raster, source),
            _ => Colors(raster, source),
        };
        return (mask, raster.Height, raster.Width);
    }

    private static byte[] Gray(PngRaster r, string source)
    {
        int channels = r.Channels, max = r.MaxSample;
        var s = r.Samples;
        var mask = new byte[r.Height * r.Width];
        for (int i = 0; i < mask.Length; i++)
        {
            if (channels == 2 && s[2 * i + 1] != max) throw Transparent(r, source, i, s[2 * i + 1]);
            int v = s[i * channels];
            if (v > 255)
                throw new InvalidDataException(
                    $"Mask '{source}' is a {r.Description} PNG and pixel {Pixel(i, r.Width)} holds {v}; a 16-bit grayscale mask is read only when every value is a label 0..255 ({Expected}).");
            mask[i] = (byte)v;
        }
        return mask;
    }

    private static byte[] Colors(PngRaster r, string source)
    {
        int channels = r.Channels, max = r.MaxSample;
        bool wide = r.BitDepth == 16;
        var s = r.Samples;
        var mask = new byte[r.Height * r.Width];
        Span<byte> rgb = stackalloc byte[3];
        for (int i = 0; i < mask.Length; i++)
        {
            int o = i * channels;
            if (channels == 4 && s[o + 3] != max) throw Transparent(r, source, i, s[o + 3]);
            for (int c = 0; c < 3; c++)
            {
                int v = s[o + c];
                if (wide && v % 257 != 0)
                    throw new InvalidDataException(
                        $"Mask '{source}' is a {r.Description} PNG and pixel {Pixel(i, r.Width)} has the 16-bit colour ({s[o]},{s[o + 1]},{s[o + 2]}), which is not an 8-bit VOC colour widened to 16 bits (v x 257) ({Expected}).");
                rgb[c] = (byte)(wide ? v / 257 : v);
            }
            if (!VocPalette.TryGetIndex(rgb[0], rgb[1], rgb[2], out mask[i]))
                throw new InvalidDataException(
                    $"Mask '{source}' is a {r.Description} PNG and pixel {Pixel(i, r.Width)} has colour ({rgb[0]},{rgb[1]},{rgb[2]}), which is not in the VOC colour map ({Expected}).");
        }
        return mask;
    }

    private static InvalidDataException Transparent(PngRaster r, string source, int i, int alpha) =>
        new($"Mask '{source}' is a {r.Description} PNG and pixel {Pixel(i, r.Width)} has alpha {alpha} (not opaque, {r.MaxSample}); transparency has no label meaning ({Expected}).");

    private static string Pixel(int i, int width) => $"(x={i % width}, y={i / width})";
}
