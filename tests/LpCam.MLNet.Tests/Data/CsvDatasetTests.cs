using LpCam.MLNet.Data;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Data;

public sealed class CsvDatasetTests : IDisposable
{
    private static readonly string[] Classes = { "cat", "dog", "bird" };
    private readonly TempFolder _temp = new();
    private readonly string _images, _masks;

    public CsvDatasetTests()
    {
        _images = Directory.CreateDirectory(_temp.File("images")).FullName;
        _masks = Directory.CreateDirectory(_temp.File("masks")).FullName;
        var scenes = SyntheticScenes.Generate(3, seed: 11, size: 64);
        for (int i = 0; i < 3; i++)
        {
            var s = scenes.Samples[i];
            File.WriteAllBytes(Path.Combine(_images, $"img{i}.png"), PngOf(scenes.LoadImage(s)));
        }
        // Masks: a palette PNG, a grayscale PNG, and none for img2 (so the mask test leaves img2 out of the CSV).
        var m0 = new byte[64 * 64];
        Array.Fill(m0, (byte)1, 0, 100);
        m0[200] = 255;
        VocPalette.WriteMaskPng(Path.Combine(_masks, "img0.png"), m0, 64, 64);
        var m1 = new byte[64 * 64];
        Array.Fill(m1, (byte)2, 50, 100);
        Array.Fill(m1, (byte)3, 500, 10);
        File.WriteAllBytes(Path.Combine(_masks, "img1.png"), MaskPngs.EncodeGray(m1, 64, 64));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Reads_names_ids_and_mixed_separators()
    {
        var csv = _temp.File("labels.csv");
        File.WriteAllLines(csv, new[] { "name,labels", "img0,cat", "img1,Dog;3", "\"img2\",1 2;bird", "" });
        var ds = CsvDataset.Open(_images, csv, maskFolder: null, Classes);
        Assert.Empty(ds.Issues);
        Assert.False(ds.HasMasks);
        Assert.Equal(new[] { "img0", "img1", "img2" }, ds.Samples.Select(s => s.Name));
        Assert.Equal(new[] { 0 }, ds.Samples[0].ClassIds);
        Assert.Equal(new[] { 1, 2 }, ds.Samples[1].ClassIds);
        Assert.Equal(new[] { 0, 1, 2 }, ds.Samples[2].ClassIds);
        Assert.Equal((64, 64), (ds.Samples[0].Height, ds.Samples[0].Width));
        Assert.Equal(64 * 64 * 3, ds.LoadImage(ds.Samples[2]).Pixels.Length);
    }

    [Fact]
    public void Reads_palette_and_grayscale_masks()
    {
        var csv = _temp.File("labels.csv");
        File.WriteAllLines(csv, new[] { "img0,cat", "img1,dog bird" }); // no header
        var ds = CsvDataset.Open(_images, csv, _masks, Classes);
        Assert.Empty(ds.Issues);
        Assert.True(ds.HasMasks);
        var m0 = ds.LoadMask(ds.Samples[0]);
        Assert.Equal(100, m0.Count(v => v == 1));
        Assert.Equal(255, m0[200]);
        var m1 = ds.LoadMask(ds.Samples[1]);
        Assert.Equal(100, m1.Count(v => v == 2));
        Assert.Equal(10, m1.Count(v => v == 3));
    }

    [Fact]
    public void Unknown_class_name_or_id_is_an_error_naming_it_and_the_file()
    {
        var csv = _temp.File("labels.csv");
        File.WriteAllLines(csv, new[] { "name,labels", "img0,cat", "img1,zebra", "img2,4" });
        var ds = CsvDataset.Open(_images, csv, null, Classes);
        Assert.Equal(new[] { "img0" }, ds.Samples.Select(s => s.Name));
        var zebra = Assert.Single(ds.Issues, i => i.Name == "img1");
        Assert.Equal(csv, zebra.File);
        Assert.Contains("unknown class 'zebra'", zebra.Problem);
        Assert.Contains("line 3", zebra.Problem);
        Assert.Contains("class id 4 is outside 1..3", Assert.Single(ds.Issues, i => i.Name == "img2").Problem);

        var e = Assert.Throws<DatasetException>(() => CsvDataset.Open(_images, csv, null, Classes, new DatasetReadOptions { StopOnError = true }));
        Assert.Contains("zebra", e.Message);
        Assert.Contains(csv, e.Message);
    }

    [Fact]
    public void Missing_image_and_mask_with_labels_above_C_are_reported()
    {
        var bad = new byte[64 * 64];
        bad[7] = 9;
        VocPalette.WriteMaskPng(Path.Combine(_masks, "img2.png"), bad, 64, 64);
        var csv = _temp.File("labels.csv");
        File.WriteAllLines(csv, new[] { "img0,cat", "img2,bird", "img9,cat", "broken line without comma" });
        var ds = CsvDataset.Open(_images, csv, _masks, Classes);
        Assert.Equal(new[] { "img0" }, ds.Samples.Select(s => s.Name));
        Assert.Contains("label 9", Assert.Single(ds.Issues, i => i.Name == "img2").Problem);
        var missing = ds.Issues.Where(i => i.Name == "img9").ToList();
        Assert.Contains(missing, i => i.File == Path.Combine(_images, "img9.jpg") && i.Problem.Contains("missing"));
        Assert.Contains(missing, i => i.File == Path.Combine(_masks, "img9.png") && i.Problem.Contains("missing"));
        Assert.Contains(ds.Issues, i => i.Problem.Contains("line 4"));
    }

    [Fact]
    public void Bad_class_lists_are_rejected()
    {
        var csv = _temp.File("labels.csv");
        File.WriteAllLines(csv, new[] { "img0,cat" });
        Assert.Throws<ArgumentException>(() => CsvDataset.Open(_images, csv, null, new[] { "cat", "Cat" }));
        Assert.Throws<ArgumentException>(() => CsvDataset.Open(_images, csv, null, new[] { "cat", "7" }));
        Assert.Throws<ArgumentException>(() => CsvDataset.Open(_images, csv, null, Array.Empty<string>()));
    }

    private static byte[] PngOf(LpCam.MLNet.Images.RgbImage image)
    {
        using var bitmap = new SkiaSharp.SKBitmap(image.Width, image.Height);
        int plane = image.Height * image.Width;
        for (int i = 0; i < plane; i++)
            bitmap.SetPixel(i % image.Width, i / image.Width,
                new SkiaSharp.SKColor((byte)image.Pixels[i], (byte)image.Pixels[plane + i], (byte)image.Pixels[2 * plane + i]));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
