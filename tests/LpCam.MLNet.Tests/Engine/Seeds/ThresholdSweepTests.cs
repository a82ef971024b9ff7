using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Engine.Seeds;

namespace LpCam.MLNet.Tests.Engine.Seeds;

public class ThresholdSweepTests
{
    private static SeedImage[] SmallSet()
    {
        var random = new Random(11);
        var images = new SeedImage[5];
        for (int n = 0; n < images.Length; n++)
        {
            int h = 3 + n % 2, w = 4;
            int[] labels = n == 4 ? Array.Empty<int>() : n % 2 == 0 ? new[] { 1, 3 } : new[] { 2 };
            var maps = new float[labels.Length * h * w];
            for (int i = 0; i < maps.Length; i++)
                maps[i] = (float)Math.Round(random.NextDouble(), 1); // coarse values so that ties with thresholds happen
            var gt = new byte[h * w];
            for (int i = 0; i < gt.Length; i++)
                gt[i] = i % 7 == 6 ? (byte)255 : (byte)random.Next(0, 4);
            images[n] = new SeedImage(maps, h, w, labels, gt);
        }
        return images;
    }

    [Fact]
    public void Each_threshold_equals_a_matrix_built_from_separate_seed_masks()
    {
        var images = SmallSet();
        float[] thresholds = { 0.1f, 0.3f, 0.5f, 0.7f };
        var sweep = new ThresholdSweep(4, thresholds);
        foreach (var image in images)
            Assert.True(sweep.Add(image));
        for (int t = 0; t < thresholds.Length; t++)
        {
            var expected = SeparateMasks(images, thresholds[t]);
            Assert.Equal(expected.ToArray(), sweep.MatrixAt(t).ToArray());
            Assert.Equal(expected.EmptyPredictionCount, sweep.MatrixAt(t).EmptyPredictionCount);
            Assert.Equal(5, sweep.MatrixAt(t).ImageCount);
        }
    }

    /// <summary>The reference: one seed mask per image at <paramref name="threshold"/>, counted into a matrix.</summary>
    private static ConfusionMatrix SeparateMasks(IEnumerable<SeedImage> images, float threshold)
    {
        var expected = new ConfusionMatrix(4);
        foreach (var image in images)
            expected.Add(SeedMasks.FromMaps(image.Maps, image.Height, image.Width, image.ClassLabels, threshold), image.GroundTruth);
        return expected;
    }

    [Fact]
    public void Unordered_thresholds_give_the_counts_of_separate_seed_masks_at_each()
    {
        // The sweep counts pixels once by the number of thresholds they exceed; every count, including the ignored pixels
        // and empty predictions, must equal the per-threshold masks, whatever order the thresholds are given in.
        var images = SmallSet();
        float[] thresholds = { 0.7f, 0.05f, 0.3f, 0.5f, 0.95f, 0.1f, 0f, 1f };
        var sweep = new ThresholdSweep(4, thresholds);
        foreach (var image in images)
            Assert.True(sweep.Add(image));
        for (int t = 0; t < thresholds.Length; t++)
        {
            var expected = SeparateMasks(images, thresholds[t]);
            var actual = sweep.MatrixAt(t);
            Assert.Equal(expected.ToArray(), actual.ToArray());
            Assert.Equal((expected.PixelCount, expected.IgnoredPixelCount, expected.EmptyPredictionCount, expected.ImageCount),
                (actual.PixelCount, actual.IgnoredPixelCount, actual.EmptyPredictionCount, actual.ImageCount));
        }
    }

    [Fact]
    public void Best_threshold_is_the_one_with_the_highest_mIoU()
    {
        var result = ThresholdSweep.Run(SmallSet(), 4);
        Assert.Equal(ThresholdSweep.DefaultThresholds, result.Thresholds);
        Assert.Equal(result.MeanIoU.Max(), result.Best.MeanIoU);
        Assert.Equal(result.MeanIoU.ToList().IndexOf(result.MeanIoU.Max()), result.BestIndex);
        Assert.Equal(result.Thresholds[result.BestIndex], result.BestThreshold);
    }

    [Fact]
    public void Best_threshold_on_a_known_case()
    {
        // One 1x4 image, one class map [0.2, 0.4, 0.6, 0.8]; ground truth [0, 1, 1, 1].
        // t = 0.1: prediction 1111: bg IoU 0/1 = 0, class IoU 3/4 -> mIoU 0.375
        // t = 0.3: prediction 0111: both exact -> mIoU 1
        // t = 0.5: prediction 0011: bg IoU 1/2, class IoU 2/3 -> 0.5833
        var result = ThresholdSweep.Run(new[] { new SeedImage(new[] { 0.2f, 0.4f, 0.6f, 0.8f }, 1, 4, new[] { 1 }, new byte[] { 0, 1, 1, 1 }) }, 2, new[] { 0.1f, 0.3f, 0.5f });
        Assert.Equal(0.3f, result.BestThreshold);
        Assert.Equal(new[] { 0.375, 1.0, (0.5 + 2.0 / 3) / 2 }, result.MeanIoU.ToArray(), new Tolerance(1e-12));
    }

    [Fact]
    public void Default_thresholds_are_0_05_to_0_95()
    {
        Assert.Equal(19, ThresholdSweep.DefaultThresholds.Count);
        Assert.Equal(0.05f, ThresholdSweep.DefaultThresholds[0]);
        Assert.Equal(0.3f, ThresholdSweep.DefaultThresholds[5]);
        Assert.Equal(0.95f, ThresholdSweep.DefaultThresholds[18]);
    }

    [Fact]
    public void NaN_maps_are_counted_not_scored()
    {
        var sweep = new ThresholdSweep(2, new[] { 0.5f });
        Assert.False(sweep.Add(new[] { float.NaN, 1f }, 1, 2, new[] { 1 }, new byte[] { 1, 1 }));
        Assert.True(sweep.Add(new[] { 0f, 1f }, 1, 2, new[] { 1 }, new byte[] { 1, 1 }));
        var m = sweep.MatrixAt(0);
        Assert.Equal(1, m.NanMapCount);
        Assert.Equal(1, m.ImageCount);
        Assert.Equal(2, m.PixelCount);
    }

    [Fact]
    public void Merged_sweeps_equal_one_sweep()
    {
        var images = SmallSet();
        var whole = new ThresholdSweep(4);
        var a = new ThresholdSweep(4);
        var b = new ThresholdSweep(4);
        for (int i = 0; i < images.Length; i++)
        {
            whole.Add(images[i]);
            (i < 2 ? a : b).Add(images[i]);
        }
        a.Merge(b);
        for (int t = 0; t < whole.Thresholds.Count; t++)
            Assert.Equal(whole.MatrixAt(t).ToArray(), a.MatrixAt(t).ToArray());
    }

    [Fact]
    public void Bad_input_is_rejected_before_counting()
    {
        var sweep = new ThresholdSweep(3, new[] { 0.5f });
        Assert.Throws<ArgumentException>(() => sweep.Add(new float[4], 2, 2, new[] { 3 }, new byte[4]));
        Assert.Throws<ArgumentException>(() => sweep.Add(new float[4], 2, 2, new[] { 1 }, new byte[3]));
        Assert.Throws<ArgumentException>(() => sweep.Add(new float[4], 2, 2, new[] { 1 }, new byte[] { 0, 1, 2, 3 }));
        Assert.Equal(0, sweep.MatrixAt(0).ImageCount);
        Assert.Throws<ArgumentException>(() => new ThresholdSweep(3, new[] { 0.5f, 0.5f }));
        Assert.Throws<ArgumentException>(() => new ThresholdSweep(3, Array.Empty<float>()));
        Assert.Throws<InvalidOperationException>(() => sweep.Summarize());
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;
        public int GetHashCode(double obj) => 0;
    }
}
