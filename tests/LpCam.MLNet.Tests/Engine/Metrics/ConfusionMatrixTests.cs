using LpCam.MLNet.Engine.Metrics;

namespace LpCam.MLNet.Tests.Engine.Metrics;

public class ConfusionMatrixTests
{
    // Hand-computed 3-label example (0 background, 1 and 2 objects); position 8 has ground truth 255 and is ignored.
    //   gt:   0 0 0 1 1 1 2 2 255 0
    //   pred: 0 1 0 1 1 2 2 0  1  2
    // rows = gt, columns = pred:
    //        p0 p1 p2
    //   g0 [  2  1  1 ]
    //   g1 [  0  2  1 ]
    //   g2 [  1  0  1 ]
    internal static readonly byte[] Gt = { 0, 0, 0, 1, 1, 1, 2, 2, 255, 0 };
    internal static readonly byte[] Pred = { 0, 1, 0, 1, 1, 2, 2, 0, 1, 2 };

    [Fact]
    public void Counts_equal_the_hand_computed_matrix_and_255_is_ignored()
    {
        var m = new ConfusionMatrix(3);
        m.Add(Pred, Gt);
        Assert.Equal(new long[] { 2, 1, 1, 0, 2, 1, 1, 0, 1 }, m.ToArray());
        Assert.Equal(1, m.Count(0, 1));
        Assert.Equal(0, m.Count(1, 0));
        Assert.Equal(9, m.PixelCount);
        Assert.Equal(1, m.IgnoredPixelCount);
        Assert.Equal(1, m.ImageCount);
        Assert.Equal(0, m.EmptyPredictionCount);
    }

    [Fact]
    public void Ignored_pixels_may_hold_any_prediction()
    {
        var m = new ConfusionMatrix(2);
        m.Add(new byte[] { 200, 1 }, new byte[] { 255, 1 });
        Assert.Equal(new long[] { 0, 0, 0, 1 }, m.ToArray());
    }

    [Fact]
    public void Merge_of_partial_matrices_equals_one_matrix_over_all()
    {
        var random = new Random(5);
        var images = Enumerable.Range(0, 6).Select(_ =>
        {
            var gt = new byte[50];
            var pred = new byte[50];
            for (int i = 0; i < 50; i++)
            {
                gt[i] = random.Next(10) == 0 ? (byte)255 : (byte)random.Next(4);
                pred[i] = (byte)random.Next(4);
            }
            return (pred, gt);
        }).ToArray();
        var whole = new ConfusionMatrix(4);
        var a = new ConfusionMatrix(4);
        var b = new ConfusionMatrix(4);
        for (int i = 0; i < images.Length; i++)
        {
            whole.Add(images[i].pred, images[i].gt);
            (i % 2 == 0 ? a : b).Add(images[i].pred, images[i].gt);
        }
        b.RecordNanMap();
        a.Merge(b);
        Assert.Equal(whole.ToArray(), a.ToArray());
        Assert.Equal(whole.PixelCount, a.PixelCount);
        Assert.Equal(whole.IgnoredPixelCount, a.IgnoredPixelCount);
        Assert.Equal(6, a.ImageCount);
        Assert.Equal(1, a.NanMapCount);
        Assert.Throws<ArgumentException>(() => a.Merge(new ConfusionMatrix(5)));
    }

    [Fact]
    public void Different_lengths_are_rejected_naming_both()
    {
        var e = Assert.Throws<ArgumentException>(() => new ConfusionMatrix(3).Add(new byte[4], new byte[5]));
        Assert.Contains("4", e.Message);
        Assert.Contains("5", e.Message);
    }

    [Fact]
    public void Out_of_range_values_are_rejected_naming_value_and_position_and_nothing_is_counted()
    {
        var m = new ConfusionMatrix(3);
        var e = Assert.Throws<ArgumentException>(() => m.Add(new byte[] { 0, 0, 3 }, new byte[] { 0, 1, 2 }));
        Assert.Contains("value 3 at position 2", e.Message);
        Assert.Equal("prediction", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => m.Add(new byte[] { 0, 0, 0 }, new byte[] { 0, 7, 2 }));
        Assert.Contains("value 7 at position 1", e.Message);
        Assert.Equal("groundTruth", e.ParamName);
        Assert.Equal(0, m.PixelCount);
        Assert.Equal(0, m.ImageCount);
    }

    [Fact]
    public void Empty_predictions_are_counted()
    {
        var m = new ConfusionMatrix(3);
        m.Add(new byte[] { 0, 0, 2 }, new byte[] { 0, 1, 255 }); // the only object pixel is ignored
        m.Add(new byte[] { 0, 1 }, new byte[] { 0, 1 });
        Assert.Equal(1, m.EmptyPredictionCount);
        m.Reset();
        Assert.Equal(0, m.EmptyPredictionCount);
        Assert.Equal(new long[9], m.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    public void Class_count_outside_1_to_255_is_rejected(int classCount)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(classCount));
    }
}
