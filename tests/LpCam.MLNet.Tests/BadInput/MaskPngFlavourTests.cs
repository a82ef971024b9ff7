using LpCam.MLNet.Data;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>
/// Mask PNGs of every colour type and bit depth: each decodes to the right labels or is refused with a message naming the
/// file, its flavour, the pixel and the value.
/// </summary>
public sealed class MaskPngFlavourTests : IDisposable
{
    private const int H = 11, W = 13; // odd sizes: rows end inside a byte at low bit depths, Adam7 passes are uneven
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Labels 0..max in a pattern that changes along both axes.</summary>
    private static byte[] Labels(int max) => Enumerable.Range(0, H * W).Select(i => (byte)((i * 7 + i / W) % (max + 1))).ToArray();

    private (byte[] Mask, int Height, int Width) Decode(byte[] png, string name = "mask.png")
    {
        var path = _temp.File(name);
        File.WriteAllBytes(path, png);
        return VocPalette.DecodeMaskPng(path);
    }

    private InvalidDataException Refused(byte[] png, string name = "bad.png")
    {
        var path = _temp.File(name);
        File.WriteAllBytes(path, png);
        var e = Assert.Throws<InvalidDataException>(() => VocPalette.DecodeMaskPng(path));
        Assert.Contains(path, e.Message);
        return e;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(4, false)]
    [InlineData(8, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(4, true)]
    [InlineData(8, true)]
    public void Palette_mask_of_any_bit_depth_decodes_to_its_indices(int depth, bool interlace)
    {
        var labels = Labels(depth == 8 ? 255 : (1 << depth) - 1);
        var palette = VocPalette.ColormapBytes()[..(3 << depth)];
        var png = PngWriter.Encode(H, W, depth, PngWriter.Palette, Samples(labels), palette, interlace);
        var (mask, h, w) = Decode(png);
        Assert.Equal((H, W), (h, w));
        Assert.Equal(labels, mask);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    public void Grayscale_mask_of_8_bits_or_fewer_holds_the_labels_unscaled(int depth)
    {
        var labels = Labels((1 << depth) - 1);
        Assert.Equal(labels, Decode(PngWriter.Encode(H, W, depth, PngWriter.Gray, Samples(labels))).Mask);
    }

    [Fact]
    public void Grayscale_16_bit_mask_with_every_value_at_most_255_decodes_to_those_labels()
    {
        // Before: SkiaSharp reduced 16 bits to 8 (value 1 -> 0) and the mask came back all background.
        var labels = Labels(20);
        labels[5] = 255;
        Assert.Equal(labels, Decode(PngWriter.Encode(H, W, 16, PngWriter.Gray, Samples(labels), interlace: true)).Mask);
    }

    [Fact]
    public void Grayscale_16_bit_mask_with_a_value_above_255_is_refused_naming_flavour_pixel_and_value()
    {
        var samples = Samples(Labels(20));
        samples[2 * W + 3] = 1000;
        var e = Refused(PngWriter.Encode(H, W, 16, PngWriter.Gray, samples));
        Assert.Contains("16-bit grayscale", e.Message);
        Assert.Contains("(x=3, y=2) holds 1000", e.Message);
        Assert.Contains("0..255", e.Message);

        // An 8-bit mask widened to 16 bits (255 -> 65535) is refused too, not read as wrong labels.
        var widened = Samples(Labels(20)).Select(v => (ushort)(v * 257)).ToArray();
        Assert.Contains("(x=1, y=0) holds 1799", Refused(PngWriter.Encode(H, W, 16, PngWriter.Gray, widened), "widened.png").Message);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void Opaque_grayscale_alpha_mask_decodes_and_a_transparent_pixel_is_refused(int depth)
    {
        var labels = Labels(20);
        int opaque = (1 << depth) - 1;
        var samples = labels.SelectMany(v => new[] { (ushort)v, (ushort)opaque }).ToArray();
        Assert.Equal(labels, Decode(PngWriter.Encode(H, W, depth, PngWriter.GrayAlpha, samples)).Mask);

        samples[2 * (4 * W + 6) + 1] = 0;
        var e = Refused(PngWriter.Encode(H, W, depth, PngWriter.GrayAlpha, samples));
        Assert.Contains($"{depth}-bit grayscale+alpha", e.Message);
        Assert.Contains("(x=6, y=4) has alpha 0", e.Message);
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(8, true)]
    [InlineData(16, false)]
    [InlineData(16, true)]
    public void Rgb_mask_in_voc_colours_maps_back_to_the_indices(int depth, bool interlace)
    {
        var labels = Labels(20);
        labels[0] = VocPalette.Ignore;
        var png = PngWriter.Encode(H, W, depth, PngWriter.Rgb, Colours(labels, depth, alpha: false), interlace: interlace);
        Assert.Equal(labels, Decode(png).Mask);
    }

    [Fact]
    public void Rgba_mask_in_voc_colours_maps_back_and_a_transparent_pixel_is_refused()
    {
        var labels = Labels(20);
        var samples = Colours(labels, 8, alpha: true);
        Assert.Equal(labels, Decode(PngWriter.Encode(H, W, 8, PngWriter.Rgba, samples)).Mask);
        samples[4 * 7 + 3] = 128;
        var e = Refused(PngWriter.Encode(H, W, 8, PngWriter.Rgba, samples));
        Assert.Contains("8-bit RGBA", e.Message);
        Assert.Contains("(x=7, y=0) has alpha 128", e.Message);
    }

    [Fact]
    public void Rgb_colour_outside_the_voc_map_is_refused_naming_pixel_and_colour()
    {
        var samples = Colours(Labels(20), 8, alpha: false);
        samples[3 * (W + 2)] = 10;
        samples[3 * (W + 2) + 1] = 20;
        samples[3 * (W + 2) + 2] = 30;
        var e = Refused(PngWriter.Encode(H, W, 8, PngWriter.Rgb, samples));
        Assert.Contains("8-bit RGB", e.Message);
        Assert.Contains("(x=2, y=1) has colour (10,20,30)", e.Message);
        Assert.Contains("VOC colour map", e.Message);
    }

    [Fact]
    public void Rgb_16_bit_sample_that_is_not_a_widened_8_bit_value_is_refused()
    {
        var samples = Colours(Labels(20), 16, alpha: false);
        samples[3 * 5] = 1234;
        var e = Refused(PngWriter.Encode(H, W, 16, PngWriter.Rgb, samples));
        Assert.Contains("16-bit RGB", e.Message);
        Assert.Contains("(x=5, y=0)", e.Message);
        Assert.Contains("v x 257", e.Message);
    }

    [Fact]
    public void Invalid_bit_depth_for_the_colour_type_is_refused_naming_both()
    {
        var png = PngWriter.Encode(H, W, 8, PngWriter.Rgb, Colours(Labels(3), 8, alpha: false));
        png[8 + 8 + 8] = 4; // IHDR bit depth: 4-bit RGB does not exist
        FixIhdrCrc(png);
        var e = Refused(png);
        Assert.Contains("bit depth 4 with colour type 2", e.Message);
    }

    [Theory]
    [InlineData(100_000, 100_000, 8, PngWriter.Gray, "more than the 67108864 pixels")]
    [InlineData(8_000, 8_000, 16, PngWriter.Rgba, "of the 512008000 bytes its header promises")]
    public void Header_promising_a_huge_image_is_refused_without_allocating_it(int height, int width, int depth, int colorType, string words)
    {
        var png = PngWriter.Encode(H, W, depth, colorType, new ushort[H * W * PngWriter.Channels(colorType)]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        FixIhdrCrc(png);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refused(png);
        Assert.Contains(words, e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "the decoder allocated the promised image");
    }

    [Fact]
    public void Palette_png_without_a_palette_chunk_is_refused()
    {
        var png = PngWriter.Encode(H, W, 8, PngWriter.Palette, Samples(Labels(20)));
        Assert.Contains("no PLTE chunk", Refused(png).Message);
    }

    internal static ushort[] Samples(byte[] labels) => labels.Select(v => (ushort)v).ToArray();

    /// <summary>The VOC colour of every label, as 8-bit or widened 16-bit samples, with an opaque alpha if asked.</summary>
    internal static ushort[] Colours(byte[] labels, int depth, bool alpha)
    {
        int scale = depth == 16 ? 257 : 1;
        return labels.SelectMany(v =>
        {
            var (r, g, b) = VocPalette.Color(v);
            var px = new List<ushort> { (ushort)(r * scale), (ushort)(g * scale), (ushort)(b * scale) };
            if (alpha) px.Add((ushort)(255 * scale));
            return px;
        }).ToArray();
    }

    internal static void FixIhdrCrc(byte[] png)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in png.AsSpan(12, 17))
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), crc ^ 0xFFFFFFFFu);
    }
}
