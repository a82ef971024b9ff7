using LpCam.MLNet.Data;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Data;

public sealed class SyntheticScenesTests
{
    [Fact]
    public void Same_seed_gives_identical_pixels_and_masks_and_a_shorter_run_is_a_prefix()
    {
        var a = SyntheticScenes.Generate(12, seed: 5);
        var b = SyntheticScenes.Generate(12, seed: 5);
        var c = SyntheticScenes.Generate(4, seed: 5);
        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(a.Samples[i].Name, b.Samples[i].Name);
            Assert.Equal(a.Samples[i].ClassIds, b.Samples[i].ClassIds);
            Assert.Equal(a.LoadImage(a.Samples[i]).Pixels, b.LoadImage(b.Samples[i]).Pixels);
            Assert.Equal(a.LoadMask(a.Samples[i]), b.LoadMask(b.Samples[i]));
            Assert.Equal(a.Layouts[i].Background, b.Layouts[i].Background);
            Assert.Equal(a.Layouts[i].Objects, b.Layouts[i].Objects);
        }
        for (int i = 0; i < 4; i++) Assert.Equal(a.LoadImage(a.Samples[i]).Pixels, c.LoadImage(c.Samples[i]).Pixels);
    }

    [Fact]
    public void Pixels_are_a_known_function_of_the_seed()
    {
        // Guards cross-platform determinism: a fingerprint of the first scenes of seed 0 at the default size.
        var ds = SyntheticScenes.Generate(3, seed: 0);
        long sum = 0;
        foreach (var s in ds.Samples)
        {
            var p = ds.LoadImage(s).Pixels;
            for (int i = 0; i < p.Length; i++) sum = (sum * 31 + (long)p[i]) % 1_000_000_007L;
            foreach (var v in ds.LoadMask(s)) sum = (sum * 31 + v) % 1_000_000_007L;
        }
        Assert.Equal(ExpectedFingerprint, sum);
    }

    private const long ExpectedFingerprint = 770457277;

    [Fact]
    public void Different_seeds_give_different_scenes()
    {
        var a = SyntheticScenes.Generate(5, seed: 1);
        var b = SyntheticScenes.Generate(5, seed: 2);
        Assert.All(Enumerable.Range(0, 5), i => Assert.NotEqual(a.LoadImage(a.Samples[i]).Pixels, b.LoadImage(b.Samples[i]).Pixels));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(128)]
    [InlineData(320)]
    public void Mask_classes_equal_the_labels_and_every_part_is_inside_its_object(int size)
    {
        var ds = SyntheticScenes.Generate(200, seed: 7, size);
        Assert.True(ds.HasMasks);
        Assert.Equal(SyntheticScenes.ClassNames, ds.ClassNames);
        for (int n = 0; n < ds.Samples.Count; n++)
        {
            var sample = ds.Samples[n];
            var layout = ds.Layouts[n];
            var mask = ds.LoadMask(sample);
            Assert.Equal((size, size), (sample.Height, sample.Width));
            Assert.Equal(sample.ClassIds, mask.Where(v => v > 0).Select(v => v - 1).Distinct().Order());
            Assert.Equal(sample.ClassIds, layout.Objects.Select(o => o.ClassId).Order());
            Assert.InRange(layout.Objects.Count, 1, 2);
            Assert.DoesNotContain(mask, v => v == 255);
            foreach (var obj in layout.Objects)
            {
                byte label = (byte)(obj.ClassId + 1);
                for (int y = obj.Part.Top; y < obj.Part.Top + obj.Part.Height; y++)
                    for (int x = obj.Part.Left; x < obj.Part.Left + obj.Part.Width; x++)
                    {
                        Assert.Equal(label, mask[y * size + x]);
                        Assert.True(obj.BodyContains(x, y), $"{sample.Name}: part pixel ({x},{y}) outside the body");
                    }
                // The object (body + part) is much larger than the part: CAM on the part alone has low recall.
                int area = mask.Count(v => v == label);
                Assert.True(area >= 4 * obj.Part.Width * obj.Part.Height, $"{sample.Name}: object area {area}");
                Assert.InRange(obj.Part.Width * 256 / size, SyntheticScenes.PartMinSize - 1, SyntheticScenes.PartMaxSize + 1);
            }
        }
    }

    [Fact]
    public void Context_co_occurs_at_the_documented_rate_and_also_appears_without_its_class()
    {
        var ds = SyntheticScenes.Generate(500, seed: 2024, size: 96);
        var layouts = ds.Layouts;
        double rate = layouts.Count(l => l.Background == SyntheticScenes.ContextOfClass[l.Objects[0].ClassId]) / (double)layouts.Count;
        Assert.InRange(rate, SyntheticScenes.ContextProbability - 0.05, SyntheticScenes.ContextProbability + 0.05);
        double two = layouts.Count(l => l.Objects.Count == 2) / (double)layouts.Count;
        Assert.InRange(two, SyntheticScenes.TwoObjectProbability - 0.05, SyntheticScenes.TwoObjectProbability + 0.05);
        for (int c = 0; c < SyntheticScenes.ClassNames.Count; c++)
        {
            int context = SyntheticScenes.ContextOfClass[c];
            int withClass = layouts.Count(l => l.Objects.Any(o => o.ClassId == c));
            Assert.InRange(withClass, 500 / 4, 500 / 2);
            Assert.Contains(layouts, l => l.Background == context && l.Objects.All(o => o.ClassId != c));
        }
        Assert.Contains(layouts, l => l.Background == SyntheticScenes.BackgroundNames.Count - 1); // the neutral wall
    }

    [Fact]
    public void Written_as_voc_and_read_back_gives_identical_samples()
    {
        var ds = SyntheticScenes.Generate(16, seed: 9, size: 128);
        using var temp = new TempFolder();
        VocWriter.Write(ds, temp.Path);
        Assert.True(File.Exists(Path.Combine(temp.Path, "ImageSets", "Segmentation", "all.txt")));

        foreach (var source in new[] { VocLabelSource.Annotations, VocLabelSource.LabelsCsv })
        {
            var back = VocDataset.Open(temp.Path, options: new VocReadOptions { LabelSource = source });
            Assert.Empty(back.Issues);
            Assert.Equal(ds.ClassNames, back.ClassNames);
            Assert.Equal(ds.Samples.Select(s => s.Name), back.Samples.Select(s => s.Name));
            for (int i = 0; i < ds.Samples.Count; i++)
            {
                Assert.Equal(ds.Samples[i].ClassIds, back.Samples[i].ClassIds);
                Assert.Equal((ds.Samples[i].Height, ds.Samples[i].Width), (back.Samples[i].Height, back.Samples[i].Width));
                Assert.Equal(ds.LoadImage(ds.Samples[i]).Pixels, back.LoadImage(back.Samples[i]).Pixels);
                Assert.Equal(ds.LoadMask(ds.Samples[i]), back.LoadMask(back.Samples[i]));
            }
        }
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticScenes.Generate(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticScenes.Generate(1, 1, size: 32));
    }
}
