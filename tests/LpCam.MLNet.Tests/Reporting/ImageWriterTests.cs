using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using LpCam.MLNet.Data;
using LpCam.MLNet.Images;
using LpCam.MLNet.Reporting;
using SkiaSharp;

namespace LpCam.MLNet.Tests.Reporting;

public sealed class ImageWriterTests
{
    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 128, 0, 0)]
    [InlineData(2, 0, 128, 0)]
    [InlineData(3, 128, 128, 0)]
    [InlineData(15, 192, 128, 128)]
    [InlineData(20, 0, 64, 128)]
    [InlineData(255, 224, 224, 192)]
    public void Voc_colours_are_the_standard_map(int label, byte r, byte g, byte b)
    {
        Assert.Equal((r, g, b), VocPalette.Color(label));
        var palette = VocPalette.ColormapBytes();
        Assert.Equal(768, palette.Length);
        Assert.Equal(new[] { r, g, b }, palette[(3 * label)..(3 * label + 3)]);
    }

    [Fact]
    public void Palette_png_is_colour_type_3_and_decodes_to_voc_colours()
    {
        int h = 3, w = 4;
        byte[] mask = { 0, 1, 2, 3, 15, 20, 255, 0, 7, 7, 1, 0 };
        var png = VocPalette.EncodeMaskPng(mask, h, w);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(8)));
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(w, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(h, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.Equal(8, png[24]); // bit depth
        Assert.Equal(3, png[25]); // colour type: palette

        // The chunks: IHDR, PLTE (256 colours), IDAT whose inflated rows are filter 0 + the labels, IEND.
        var chunks = Chunks(png);
        Assert.Equal(new[] { "IHDR", "PLTE", "IDAT", "IEND" }, chunks.Select(c => c.Type));
        Assert.Equal(VocPalette.ColormapBytes(), chunks[1].Data);
        using (var inflate = new ZLibStream(new MemoryStream(chunks[2].Data), CompressionMode.Decompress))
        {
            var raw = new MemoryStream();
            inflate.CopyTo(raw);
            var rows = raw.ToArray();
            Assert.Equal(h * (w + 1), rows.Length);
            for (int y = 0; y < h; y++)
            {
                Assert.Equal(0, rows[y * (w + 1)]);
                Assert.Equal(mask[(y * w)..(y * w + w)], rows[(y * (w + 1) + 1)..((y + 1) * (w + 1))]);
            }
        }

        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        Assert.Equal((w, h), (bitmap.Width, bitmap.Height));
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var c = bitmap.GetPixel(x, y);
                Assert.Equal(VocPalette.Color(mask[y * w + x]), (c.Red, c.Green, c.Blue));
                Assert.Equal(255, c.Alpha);
            }
    }

    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png[(at + 8)..(at + 8 + length)];
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.Equal(crc, IndexedPng.PngCrc(png.AsSpan(at + 4, 4), png.AsSpan(at + 8, length)));
            chunks.Add((type, data));
            at += 12 + length;
        }
        return chunks;
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, IndexedPng.PngCrc("123456789"u8, ReadOnlySpan<byte>.Empty));

    [Fact]
    public void Palette_png_rejects_a_wrong_size() =>
        Assert.Throws<ArgumentException>(() => VocPalette.EncodeMaskPng(new byte[5], 2, 3));

    [Fact]
    public void Heatmap_png_has_the_image_size()
    {
        int h = 7, w = 11;
        var image = new RgbImage(h, w, new float[3 * h * w]);
        var map = Enumerable.Range(0, h * w).Select(i => i / (float)(h * w)).ToArray();
        using var bitmap = SKBitmap.Decode(Overlay.HeatmapPng(image, map));
        Assert.Equal((w, h), (bitmap.Width, bitmap.Height));
        // black image, alpha 0.5: half the jet colour
        var (r, g, b) = Overlay.JetColor(map[^1]);
        var c = bitmap.GetPixel(w - 1, h - 1);
        Assert.Equal(r / 2.0, c.Red, 1.0);
        Assert.Equal(g / 2.0, c.Green, 1.0);
        Assert.Equal(b / 2.0, c.Blue, 1.0);
    }

    [Fact]
    public void Heatmap_resizes_a_smaller_map_and_alpha_zero_keeps_the_image()
    {
        var image = new RgbImage(8, 8, Enumerable.Range(0, 192).Select(i => (float)i).ToArray());
        var same = Overlay.Heatmap(image, new float[4], 2, 2, alpha: 0);
        Assert.Equal(image.Pixels, same.Pixels);
        Assert.Throws<ArgumentException>(() => Overlay.Heatmap(image, new float[3], 2, 2));
    }

    [Fact]
    public void Jet_runs_from_blue_to_red()
    {
        Assert.Equal(((byte)0, (byte)0, (byte)128), Overlay.JetColor(0));
        Assert.Equal(((byte)128, (byte)0, (byte)0), Overlay.JetColor(1));
        Assert.Equal(((byte)128, (byte)255, (byte)128), Overlay.JetColor(0.5f));
        Assert.Equal(Overlay.JetColor(1), Overlay.JetColor(7));
    }

    [Fact]
    public void Thumbnails_fit_the_max_side_and_masks_keep_their_labels()
    {
        Assert.Equal((120, 160), Overlay.ThumbnailSize(375, 500));
        Assert.Equal((160, 107), Overlay.ThumbnailSize(480, 320));
        Assert.Equal((50, 60), Overlay.ThumbnailSize(50, 60));
        var mask = Enumerable.Range(0, 375 * 500).Select(i => (byte)(i % 500 < 250 ? 0 : i / 500 < 100 ? 255 : 15)).ToArray();
        var small = LabelMasks.ResizeNearest(mask, 375, 500, 120, 160);
        Assert.Equal(new byte[] { 0, 15, 255 }, small.Distinct().Order().ToArray());
        var thumb = Overlay.Thumbnail(new RgbImage(375, 500, new float[3 * 375 * 500]));
        Assert.Equal((120, 160), (thumb.Height, thumb.Width));
    }

    [Fact]
    public void Max_over_maps_takes_the_pixelwise_maximum()
    {
        var max = Overlay.MaxOverMaps(new float[] { 0.1f, 0.9f, 0.5f, 0.2f }, 1, 2);
        Assert.Equal(new[] { 0.5f, 0.9f }, max);
        Assert.Equal(new float[2], Overlay.MaxOverMaps(ReadOnlySpan<float>.Empty, 1, 2));
    }
}
