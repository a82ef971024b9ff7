using LpCam.MLNet.Data;
using LpCam.MLNet.Tests.Support;

namespace LpCam.MLNet.Tests.Data;

/// <summary>voc-dev opened once with the XML labels and once with labels.csv (both fully verified).</summary>
public sealed class VocDevFixture
{
    public VocDevFixture()
    {
        Xml = VocDataset.Open(VocDev.Root, "dev");
        Csv = VocDataset.Open(VocDev.Root, "dev", new VocReadOptions { LabelSource = VocLabelSource.LabelsCsv });
    }

    public SegmentationDataset Xml { get; }

    public SegmentationDataset Csv { get; }
}

public sealed class VocDevDatasetTests : IClassFixture<VocDevFixture>
{
    /// <summary>The one image of voc-dev whose mask shows a class (person) its XML lacks.</summary>
    private const string KnownDiscrepancy = "2008_005245";
    private const int Person = 14;

    private readonly VocDevFixture _data;

    public VocDevDatasetTests(VocDevFixture data) => _data = data;

    [Fact]
    public void Reads_all_484_samples_with_masks_and_the_20_classes()
    {
        foreach (var ds in new[] { _data.Xml, _data.Csv })
        {
            Assert.Equal(484, ds.Samples.Count);
            Assert.True(ds.HasMasks);
            Assert.Equal(VocDev.ClassNames, ds.ClassNames);
            Assert.Equal(VocDev.Names(), ds.Samples.Select(s => s.Name));
            Assert.DoesNotContain(ds.Issues, i => i.Severity == DatasetIssueSeverity.Error);
        }
    }

    [Fact]
    public void Default_image_set_is_the_only_list()
    {
        var ds = VocDataset.Open(VocDev.Root, options: new VocReadOptions { VerifyPixels = false });
        Assert.Equal(484, ds.Samples.Count);
        Assert.DoesNotContain(ds.Issues, i => i.Severity == DatasetIssueSeverity.Error);
    }

    [Fact]
    public void Xml_labels_agree_with_labels_csv_except_one_image_whose_mask_has_an_extra_person()
    {
        var csv = _data.Csv.Samples.ToDictionary(s => s.Name, s => s.ClassIds);
        var differing = _data.Xml.Samples.Where(s => !s.ClassIds.SequenceEqual(csv[s.Name])).ToList();
        var single = Assert.Single(differing);
        Assert.Equal(KnownDiscrepancy, single.Name);
        Assert.Equal(single.ClassIds.Append(Person).Order(), csv[KnownDiscrepancy]);

        // The reader reports it: a warning, the sample is kept.
        var warning = Assert.Single(_data.Xml.Issues);
        Assert.Equal(KnownDiscrepancy, warning.Name);
        Assert.Equal(DatasetIssueSeverity.Warning, warning.Severity);
        Assert.Contains("person", warning.Problem);
        Assert.Empty(_data.Csv.Issues);

        // Labels.csv is the multi-hot the other tests use.
        var multiHot = VocDev.Labels();
        Assert.All(_data.Csv.Samples, s => Assert.Equal(multiHot[s.Name], s.MultiHot(20)));
    }

    [Fact]
    public void Leaving_out_difficult_objects_drops_labels_of_34_images_and_never_adds_one()
    {
        var ds = VocDataset.Open(VocDev.Root, "dev", new VocReadOptions { IncludeDifficult = false, VerifyPixels = false });
        var csv = _data.Csv.Samples.ToDictionary(s => s.Name, s => s.ClassIds);
        Assert.Equal(484, ds.Samples.Count);
        Assert.All(ds.Samples, s => Assert.Subset(csv[s.Name].ToHashSet(), s.ClassIds.ToHashSet()));
        Assert.Equal(34, ds.Samples.Count(s => !s.ClassIds.SequenceEqual(csv[s.Name])));
    }

    [Fact]
    public void Masks_hold_only_labels_0_to_20_and_255_and_their_classes_are_the_image_classes()
    {
        var ds = _data.Csv;
        foreach (var sample in ds.Samples)
        {
            var mask = ds.LoadMask(sample);
            Assert.Equal(sample.Height * sample.Width, mask.Length);
            int bad = Array.FindIndex(mask, v => v > 20 && v != 255);
            Assert.True(bad < 0, $"{sample.Name}: label {(bad < 0 ? 0 : mask[bad])} at {bad}");
            var classes = mask.Where(v => v is > 0 and < 255).Select(v => v - 1).Distinct().Order();
            Assert.Equal(sample.ClassIds, classes);
        }
    }

    [Fact]
    public void Mask_pixel_counts_match_an_independent_decoder()
    {
        // Counted with a separate pure-Python PNG decoder (zlib + unfilter) over the palette indices.
        var expected = new Dictionary<string, Dictionary<byte, int>>
        {
            ["2007_000346"] = new() { [0] = 114172, [5] = 14663, [15] = 51575, [255] = 7090 },
            ["2007_000033"] = new() { [0] = 143868, [1] = 30937, [255] = 8195 },
        };
        foreach (var (name, counts) in expected)
        {
            var sample = _data.Xml.Samples.Single(s => s.Name == name);
            var mask = _data.Xml.LoadMask(sample);
            var actual = mask.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(counts.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
        }
        var s346 = _data.Xml.Samples.Single(s => s.Name == "2007_000346");
        Assert.Equal((375, 500), (s346.Height, s346.Width));
        Assert.Equal(new[] { 4, 14 }, s346.ClassIds); // bottle, person
    }

    [Fact]
    public void Images_load_at_the_recorded_size()
    {
        foreach (var sample in _data.Xml.Samples.Take(5))
        {
            var image = _data.Xml.LoadImage(sample);
            Assert.Equal((sample.Height, sample.Width), (image.Height, image.Width));
            Assert.Equal(Path.Combine(VocDev.Root, "JPEGImages", sample.Name + ".jpg"), sample.ImagePath);
        }
    }

    [Fact]
    public void Colour_decoding_of_a_real_mask_agrees_with_index_decoding()
    {
        // Re-encode a real mask as an RGB PNG in VOC colours: the colour path must give back the same indices.
        var sample = _data.Xml.Samples.Single(s => s.Name == "2007_000346");
        var mask = _data.Xml.LoadMask(sample);
        var rgbPng = MaskPngs.EncodeRgb(mask, sample.Height, sample.Width, v => VocPalette.Color(v));
        var (decoded, h, w) = VocPalette.DecodeMaskPng(rgbPng, "rgb");
        Assert.Equal((sample.Height, sample.Width), (h, w));
        Assert.Equal(mask, decoded);
    }
}
