using LpCam.MLNet.Data;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>
/// A VOC folder with masks of several PNG flavours and an image list with odd lines: what is readable is read right, what
/// is not is a named, reported skip (or an error with StopOnError), and the summary counts are right.
/// </summary>
public sealed class DatasetBadInputTests : IDisposable
{
    private const int Size = 64;
    private readonly TempFolder _temp = new();
    private readonly Dictionary<string, byte[]> _expected = new();

    public DatasetBadInputTests()
    {
        var scenes = SyntheticScenes.Generate(6, seed: 5, size: Size);
        VocWriter.Write(scenes, _temp.Path, new VocWriteOptions { ImageFormat = VocImageFormat.Png });
        var original = scenes.Samples.ToDictionary(s => s.Name, s => scenes.LoadMask(s));

        // 16-bit grayscale holding the labels themselves: read as those labels.
        WriteMask(0, PngWriter.Encode(Size, Size, 16, PngWriter.Gray, MaskPngFlavourTests.Samples(original["synth_00000"])));
        _expected["synth_00000"] = original["synth_00000"];
        // 16-bit grayscale with a value above 255: refused.
        var wide = MaskPngFlavourTests.Samples(original["synth_00001"]);
        wide[Size * 10 + 20] = 4000;
        WriteMask(1, PngWriter.Encode(Size, Size, 16, PngWriter.Gray, wide));
        // 4-bit palette (ignore label 255 does not fit in 4 bits: written as 0): read as the indices.
        var small = original["synth_00002"].Select(v => v == 255 ? (byte)0 : v).ToArray();
        WriteMask(2, PngWriter.Encode(Size, Size, 4, PngWriter.Palette, MaskPngFlavourTests.Samples(small), VocPalette.ColormapBytes()[..48]));
        _expected["synth_00002"] = small;
        // RGB with a colour outside the VOC map: refused.
        var odd = MaskPngFlavourTests.Colours(original["synth_00003"], 8, alpha: false);
        odd[3 * (Size * 30 + 31) + 1] = 77;
        WriteMask(3, PngWriter.Encode(Size, Size, 8, PngWriter.Rgb, odd));
        // Interlaced RGB in VOC colours: mapped back to the labels.
        WriteMask(4, PngWriter.Encode(Size, Size, 8, PngWriter.Rgb, MaskPngFlavourTests.Colours(original["synth_00004"], 8, alpha: false), interlace: true));
        _expected["synth_00004"] = original["synth_00004"];
        _expected["synth_00005"] = original["synth_00005"];

        // An image whose name has a space: a copy of synth_00005.
        foreach (var (folder, ext) in new[] { ("JPEGImages", ".png"), ("SegmentationClass", ".png"), ("Annotations", ".xml") })
            File.Copy(Path.Combine(_temp.Path, folder, "synth_00005" + ext), Path.Combine(_temp.Path, folder, "my image" + ext));
        _expected["my image"] = original["synth_00005"];
    }

    public void Dispose() => _temp.Dispose();

    private string Mask(int i) => Path.Combine(_temp.Path, "SegmentationClass", $"synth_{i:D5}.png");

    private void WriteMask(int i, byte[] png) => File.WriteAllBytes(Mask(i), png);

    private string SetFile(string name, params string[] lines)
    {
        var path = Path.Combine(_temp.Path, "ImageSets", "Segmentation", name + ".txt");
        File.WriteAllText(path, string.Join("\n", lines));
        return path;
    }

    [Fact]
    public void Odd_masks_and_set_lines_are_read_right_or_reported_by_name_with_right_counts()
    {
        var list = SetFile("odd",
            "\uFEFFsynth_00000",    // a byte-order mark

            "  synth_00001  \r",
            "synth_00002 1",        // VOC classification form: NAME FLAG
            "synth_00003 -1",
            "\tsynth_00004\t 0",
            "synth_00005",
            "synth_00005",          // twice: a warning, read once
            "my image",             // an image of that whole name exists: kept whole
            "odd line here",        // neither a name nor NAME FLAG: an error naming the line
            "sub/dir",              // a path, not a name
            "",
            "   ");
        var ds = VocDataset.Open(_temp.Path, "odd");

        Assert.Equal(new[] { "synth_00000", "synth_00002", "synth_00004", "synth_00005", "my image" }, ds.Samples.Select(s => s.Name));
        foreach (var sample in ds.Samples) Assert.Equal(_expected[sample.Name], ds.LoadMask(sample));

        var errors = ds.Issues.Where(i => i.Severity == DatasetIssueSeverity.Error).ToList();
        var wide = Assert.Single(errors, i => i.Name == "synth_00001");
        Assert.Equal(Mask(1), wide.File);
        Assert.Contains("16-bit grayscale", wide.Problem);
        Assert.Contains("(x=20, y=10) holds 4000", wide.Problem);
        var colour = Assert.Single(errors, i => i.Name == "synth_00003");
        Assert.Equal(Mask(3), colour.File);
        Assert.Contains("(x=31, y=30)", colour.Problem);
        Assert.Contains("not in the VOC colour map", colour.Problem);
        var oddLine = Assert.Single(errors, i => i.Name == "line 9");
        Assert.Equal(list, oddLine.File);
        Assert.Contains("'odd line here'", oddLine.Problem);
        Assert.Contains("NAME FLAG", oddLine.Problem);
        Assert.Contains("path separator", Assert.Single(errors, i => i.Name == "line 10").Problem);
        Assert.Equal(4, errors.Count);
        var twice = Assert.Single(ds.Issues, i => i.Severity == DatasetIssueSeverity.Warning);
        Assert.Equal(("synth_00005", list), (twice.Name, twice.File));

        Assert.StartsWith("5 samples read, 4 skipped, 1 warnings.", ds.IssueSummary);
    }

    [Fact]
    public void A_sample_with_two_faults_counts_as_one_skip()
    {
        SetFile("two", "synth_00000", "synth_00005");
        File.Delete(Path.Combine(_temp.Path, "JPEGImages", "synth_00005.png"));
        File.Delete(Path.Combine(_temp.Path, "SegmentationClass", "synth_00005.png"));
        var ds = VocDataset.Open(_temp.Path, "two", new VocReadOptions { LabelSource = VocLabelSource.LabelsCsv });
        Assert.Equal(2, ds.Issues.Count);
        Assert.All(ds.Issues, i => Assert.Equal(("synth_00005", DatasetIssueSeverity.Error), (i.Name, i.Severity)));
        Assert.StartsWith("1 samples read, 1 skipped, 0 warnings.", ds.IssueSummary);
    }

    [Fact]
    public void Refused_mask_with_stop_on_error_throws_naming_the_mask_file()
    {
        SetFile("one", "synth_00001");
        var e = Assert.Throws<DatasetException>(() => VocDataset.Open(_temp.Path, "one", new VocReadOptions { StopOnError = true }));
        Assert.Equal(Mask(1), e.FileName);
        Assert.Contains("16-bit grayscale", e.Message);
    }

    [Fact]
    public void Header_only_checks_defer_a_refused_mask_to_load_time_naming_the_file()
    {
        SetFile("one", "synth_00001");
        var ds = VocDataset.Open(_temp.Path, "one", new VocReadOptions { VerifyPixels = false });
        var sample = Assert.Single(ds.Samples);
        var e = Assert.Throws<InvalidDataException>(() => ds.LoadMask(sample));
        Assert.Contains(Mask(1), e.Message);
        Assert.Contains("holds 4000", e.Message);
    }

    [Fact]
    public void Bad_set_line_with_stop_on_error_throws_naming_the_list_file_and_line()
    {
        var list = SetFile("one", "synth_00000", "a b c d");
        var e = Assert.Throws<DatasetException>(() => VocDataset.Open(_temp.Path, "one", new VocReadOptions { StopOnError = true }));
        Assert.Equal(list, e.FileName);
        Assert.Contains("line 2 'a b c d'", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n\t\n")]
    public void Empty_set_file_is_an_error_naming_the_file(string content)
    {
        var path = Path.Combine(_temp.Path, "ImageSets", "Segmentation", "empty.txt");
        File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => VocDataset.Open(_temp.Path, "empty"));
        Assert.Contains(path, e.Message);
        Assert.Contains("lists no image", e.Message);
    }

    [Fact]
    public void Set_line_with_the_image_extension_reads_the_image()
    {
        SetFile("ext", "synth_00000.png", "synth_00005.jpg");
        var ds = VocDataset.Open(_temp.Path, "ext");
        // synth_00005.jpg does not exist (the image is a .png) but the name without extension does: read as synth_00005.
        Assert.Equal(new[] { "synth_00000", "synth_00005" }, ds.Samples.Select(s => s.Name));
        Assert.Empty(ds.Issues);
    }

    [Theory]
    [InlineData("")]
    [InlineData("name,labels\n\n")]
    public void Empty_labels_csv_is_an_error_naming_the_file(string content)
    {
        var csv = Path.Combine(_temp.Path, "empty.csv");
        File.WriteAllText(csv, content);
        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Open(Path.Combine(_temp.Path, "JPEGImages"), csv, null, SyntheticScenes.ClassNames));
        Assert.Contains(csv, e.Message);
        Assert.Contains("lists no image", e.Message);
    }

    [Fact]
    public void Csv_dataset_reports_a_refused_mask_by_name_and_keeps_the_rest()
    {
        var csv = Path.Combine(_temp.Path, "labels.csv");
        var ds = CsvDataset.Open(Path.Combine(_temp.Path, "JPEGImages"), csv, Path.Combine(_temp.Path, "SegmentationClass"), SyntheticScenes.ClassNames);
        Assert.Equal(new[] { "synth_00000", "synth_00002", "synth_00004", "synth_00005" }, ds.Samples.Select(s => s.Name));
        Assert.Equal(new[] { Mask(1), Mask(3) }, ds.Issues.Select(i => i.File));
        Assert.All(ds.Issues, i => Assert.Equal(DatasetIssueSeverity.Error, i.Severity));
    }
}
