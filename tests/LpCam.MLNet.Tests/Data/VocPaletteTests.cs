using LpCam.MLNet.Data;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Data;

public sealed class VocPaletteTests
{
    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 128, 0, 0)]
    [InlineData(2, 0, 128, 0)]
    [InlineData(3, 128, 128, 0)]
    [InlineData(4, 0, 0, 128)]
    [InlineData(15, 192, 128, 128)]
    [InlineData(20, 0, 64, 128)]
    [InlineData(255, 224, 224, 192)]
    public void Colormap_has_the_standard_VOC_colours(int index, int r, int g, int b)
    {
        Assert.Equal(((byte)r, (byte)g, (byte)b), VocPalette.Color(index));
        Assert.True(VocPalette.TryGetIndex((byte)r, (byte)g, (byte)b, out var back));
        Assert.Equal(index, back);
    }

    [Fact]
    public void Colormap_is_a_bijection_over_256_entries()
    {
        var bytes = VocPalette.ColormapBytes();
        Assert.Equal(768, bytes.Length);
        Assert.Equal(256, Enumerable.Range(0, 256).Select(i => VocPalette.Color(i)).Distinct().Count());
        Assert.False(VocPalette.TryGetIndex(1, 2, 3, out _));
    }

    [Fact]
    public void Palette_png_round_trips_every_value_and_skia_sees_the_voc_colours()
    {
        int h = 16, w = 19;
        var mask = Enumerable.Range(0, h * w).Select(i => (byte)(i * 7 % 256)).ToArray();
        var png = VocPalette.EncodeMaskPng(mask, h, w);
        var (decoded, dh, dw) = VocPalette.DecodeMaskPng(png);
        Assert.Equal((h, w), (dh, dw));
        Assert.Equal(mask, decoded);

        // A real palette PNG: an independent decoder (SkiaSharp) reads the VOC colours.
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        for (int i = 0; i < mask.Length; i += 13)
        {
            var c = bitmap.GetPixel(i % w, i / w);
            Assert.Equal(VocPalette.Color(mask[i]), (c.Red, c.Green, c.Blue));
        }
    }

    [Fact]
    public void Grayscale_and_rgb_masks_decode_to_the_same_labels()
    {
        int h = 9, w = 11;
        var mask = Enumerable.Range(0, h * w).Select(i => (byte)(i % 5 == 0 ? 255 : i % 21)).ToArray();
        Assert.Equal(mask, VocPalette.DecodeMaskPng(MaskPngs.EncodeGray(mask, h, w)).Mask);
        Assert.Equal(mask, VocPalette.DecodeMaskPng(MaskPngs.EncodeRgb(mask, h, w, v => VocPalette.Color(v))).Mask);
    }

    [Fact]
    public void Unknown_colour_is_an_error_naming_the_file_and_pixel()
    {
        using var temp = new TempFolder();
        var mask = new byte[4 * 5];
        var path = temp.File("odd.png");
        File.WriteAllBytes(path, MaskPngs.EncodeRgb(mask, 4, 5, _ => (0, 0, 0)));
        Assert.Equal(new byte[20], VocPalette.DecodeMaskPng(path).Mask);

        mask[2 * 5 + 3] = 1;
        File.WriteAllBytes(path, MaskPngs.EncodeRgb(mask, 4, 5, v => v == 1 ? ((byte)10, (byte)20, (byte)30) : ((byte)0, (byte)0, (byte)0)));
        var e = Assert.Throws<InvalidDataException>(() => VocPalette.DecodeMaskPng(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("x=3, y=2", e.Message);
        Assert.Contains("(10,20,30)", e.Message);
    }

    [Fact]
    public void Truncated_or_damaged_png_is_an_error_naming_the_file()
    {
        using var temp = new TempFolder();
        var png = VocPalette.EncodeMaskPng(Enumerable.Range(0, 400).Select(i => (byte)(i % 21)).ToArray(), 20, 20);
        var truncated = temp.File("truncated.png");
        File.WriteAllBytes(truncated, png[..(png.Length - 30)]);
        Assert.Contains(truncated, Assert.Throws<InvalidDataException>(() => VocPalette.DecodeMaskPng(truncated)).Message);

        var flipped = (byte[])png.Clone();
        flipped[png.Length - 20] ^= 0xFF;
        var damaged = temp.File("damaged.png");
        File.WriteAllBytes(damaged, flipped);
        Assert.Contains(damaged, Assert.Throws<InvalidDataException>(() => VocPalette.DecodeMaskPng(damaged)).Message);

        var notPng = temp.File("text.png");
        File.WriteAllText(notPng, "hello");
        Assert.Contains(notPng, Assert.Throws<InvalidDataException>(() => VocPalette.DecodeMaskPng(notPng)).Message);
        Assert.Throws<FileNotFoundException>(() => VocPalette.DecodeMaskPng(temp.File("none.png")));
    }

    [Fact]
    public void Encode_checks_the_size()
    {
        Assert.Throws<ArgumentException>(() => VocPalette.EncodeMaskPng(new byte[5], 2, 3));
    }
}
