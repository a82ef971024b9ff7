using LpCam.MLNet.Data;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Data;

/// <summary>A small VOC folder (written from synthetic scenes as JPEGs) with one fault per sample.</summary>
public sealed class VocFaultTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public VocFaultTests()
    {
        VocWriter.Write(SyntheticScenes.Generate(6, seed: 3, size: 96), _temp.Path, new VocWriteOptions { ImageFormat = VocImageFormat.Jpeg });
        // synth_00000: fine.
        var jpeg = Jpeg(1);
        var bytes = File.ReadAllBytes(jpeg);
        File.WriteAllBytes(jpeg, bytes[..(bytes.Length / 2)]);                                   // truncated JPEG
        File.Delete(Mask(2));                                                                     // missing mask
        File.WriteAllText(Xml(3), "<annotation><object><name>car</name></object>");              // unparseable XML
        File.WriteAllText(Xml(4), File.ReadAllText(Xml(4)).Replace("<name>" + Name(4, out _), "<name>unicorn")); // unknown class
        VocPalette.WriteMaskPng(Mask(5), new byte[10 * 12], 10, 12);                              // mask of the wrong size
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Bad_samples_are_skipped_and_each_file_is_named()
    {
        var ds = VocDataset.Open(_temp.Path);
        Assert.Equal(SyntheticScenes.ClassNames, ds.ClassNames); // from class_names.txt
        Assert.Equal(new[] { "synth_00000" }, ds.Samples.Select(s => s.Name));
        var errors = ds.Issues.Where(i => i.Severity == DatasetIssueSeverity.Error).ToList();
        Assert.Equal(5, errors.Count);
        AssertIssue(errors, 1, Jpeg(1), "truncated");
        AssertIssue(errors, 2, Mask(2), "missing");
        AssertIssue(errors, 3, Xml(3), "unreadable");
        AssertIssue(errors, 4, Xml(4), "unknown class 'unicorn'");
        AssertIssue(errors, 5, Mask(5), "10x12");
        Assert.Contains("1 samples read, 5 skipped", ds.IssueSummary);
        Assert.Contains(Jpeg(1), ds.IssueSummary);
    }

    [Fact]
    public void Stop_on_error_throws_naming_the_first_bad_file()
    {
        var e = Assert.Throws<DatasetException>(() => VocDataset.Open(_temp.Path, options: new VocReadOptions { StopOnError = true }));
        Assert.Equal(Jpeg(1), e.FileName);
        Assert.Contains(Jpeg(1), e.Message);
        Assert.Equal("synth_00001", e.Issue.Name);
    }

    [Fact]
    public void Header_checks_only_defer_the_truncated_jpeg_to_load_time()
    {
        var ds = VocDataset.Open(_temp.Path, options: new VocReadOptions { VerifyPixels = false });
        Assert.Equal(new[] { "synth_00000", "synth_00001" }, ds.Samples.Select(s => s.Name));
        var e = Assert.Throws<InvalidDataException>(() => ds.LoadImage(ds.Samples[1]));
        Assert.Contains(Jpeg(1), e.Message);
        Assert.Equal(96 * 96, ds.LoadMask(ds.Samples[0]).Length);
    }

    [Fact]
    public void Label_outside_the_given_class_list_is_an_error_naming_it_and_the_file()
    {
        var ds = VocDataset.Open(_temp.Path, options: new VocReadOptions { ClassNames = new[] { "car", "boat", "plane" } });
        var cows = ds.Issues.Where(i => i.Problem.Contains("unknown class 'cow'")).ToList();
        Assert.NotEmpty(cows);
        Assert.All(cows, i => Assert.EndsWith(".xml", i.File));
    }

    [Fact]
    public void Missing_mask_folder_gives_a_classification_only_dataset()
    {
        Directory.Delete(Path.Combine(_temp.Path, "SegmentationClass"), recursive: true);
        var ds = VocDataset.Open(_temp.Path, options: new VocReadOptions { LabelSource = VocLabelSource.LabelsCsv });
        Assert.False(ds.HasMasks);
        Assert.Equal(new[] { "synth_00000", "synth_00002", "synth_00003", "synth_00004", "synth_00005" }, ds.Samples.Select(s => s.Name));
        Assert.Throws<InvalidOperationException>(() => ds.LoadMask(ds.Samples[0]));
    }

    [Fact]
    public void Missing_image_set_is_an_exception()
    {
        Assert.Throws<FileNotFoundException>(() => VocDataset.Open(_temp.Path, "nope"));
        Assert.Throws<DirectoryNotFoundException>(() => VocDataset.Open(_temp.File("nowhere")));
    }

    private static void AssertIssue(List<DatasetIssue> issues, int index, string file, string words)
    {
        var issue = Assert.Single(issues, i => i.Name == $"synth_{index:D5}");
        Assert.Equal(file, issue.File);
        Assert.Contains(words, issue.Problem);
    }

    private string Name(int index, out int classId)
    {
        classId = SyntheticScenes.Generate(index + 1, seed: 3, size: 96).Samples[index].ClassIds[0];
        return SyntheticScenes.ClassNames[classId];
    }

    private string Jpeg(int i) => Path.Combine(_temp.Path, "JPEGImages", $"synth_{i:D5}.jpg");

    private string Mask(int i) => Path.Combine(_temp.Path, "SegmentationClass", $"synth_{i:D5}.png");

    private string Xml(int i) => Path.Combine(_temp.Path, "Annotations", $"synth_{i:D5}.xml");
}
