using LpCam.MLNet.Engine.Metrics;

namespace LpCam.MLNet.Tests.Engine.Metrics;

public class SegmentationMetricsTests
{
    private const double Eps = 1e-12;

    [Fact]
    public void Scores_equal_the_hand_computed_example()
    {
        // From the matrix of ConfusionMatrixTests:
        //   label 0: TP 2, FP 1 (g2 p0), FN 2 -> U 5: IoU 0.4
        //   label 1: TP 2, FP 1, FN 1 -> U 4: IoU 0.5, FP 0.25, FN 0.25, precision 2/3, recall 2/3
        //   label 2: TP 1, FP 2, FN 1 -> U 4: IoU 0.25, FP 0.5, FN 0.25, precision 1/3, recall 1/2
        // mIoU = (0.4 + 0.5 + 0.25) / 3; object means: FP 0.375, FN 0.25, precision 0.5, recall 7/12, IoU 0.375.
        var m = new ConfusionMatrix(3);
        m.Add(ConfusionMatrixTests.Pred, ConfusionMatrixTests.Gt);
        var s = SegmentationMetrics.From(m, new[] { "background", "cat", "dog" });

        Assert.Equal(new long[] { 2, 2, 1 }, s.Classes.Select(c => c.TruePositives));
        Assert.Equal(new long[] { 1, 1, 2 }, s.Classes.Select(c => c.FalsePositives));
        Assert.Equal(new long[] { 2, 1, 1 }, s.Classes.Select(c => c.FalseNegatives));
        Assert.Equal("dog", s.Classes[2].Name);
        Assert.Equal(0.4, s.Classes[0].IoU, Eps);
        Assert.Equal(0.5, s.Classes[1].IoU, Eps);
        Assert.Equal(0.25, s.Classes[2].IoU, Eps);
        Assert.Equal(1.15 / 3, s.MeanIoU, Eps);
        Assert.Equal(0.375, s.ObjectMeanIoU, Eps);
        Assert.Equal(0.375, s.FalsePositive, Eps);
        Assert.Equal(0.25, s.FalseNegative, Eps);
        Assert.Equal(2.0 / 3, s.Classes[1].Precision, Eps);
        Assert.Equal(1.0 / 3, s.Classes[2].Precision, Eps);
        Assert.Equal(0.5, s.Classes[2].Recall, Eps);
        Assert.Equal(0.5, s.Precision, Eps);
        Assert.Equal(7.0 / 12, s.Recall, Eps);
        Assert.Equal(0, s.AbsentClassCount);
        Assert.Equal(1, s.ImageCount);
        Assert.Equal(9, s.PixelCount);
        Assert.Equal(1, s.IgnoredPixelCount);
    }

    [Fact]
    public void IoU_plus_FP_plus_FN_is_one_per_class_over_random_matrices()
    {
        var random = new Random(42);
        for (int trial = 0; trial < 50; trial++)
        {
            int classes = random.Next(2, 8);
            var m = new ConfusionMatrix(classes);
            var gt = new byte[200];
            var pred = new byte[200];
            for (int i = 0; i < gt.Length; i++)
            {
                gt[i] = (byte)random.Next(classes);
                pred[i] = (byte)random.Next(classes);
            }
            m.Add(pred, gt);
            var s = SegmentationMetrics.From(m);
            foreach (var c in s.Classes.Where(c => !c.IsAbsent))
                Assert.Equal(1.0, c.IoU + c.FalsePositive + c.FalseNegative, 1e-12);
            Assert.Equal(1.0, s.ObjectMeanIoU + s.FalsePositive + s.FalseNegative, 1e-12);
        }
    }

    [Fact]
    public void Absent_classes_are_NaN_and_left_out_of_every_mean()
    {
        // Labels 0..3; label 3 never occurs. Matrix: g0 p0 = 1, g1 p1 = 1, g2 p1 = 1.
        //   0: IoU 1; 1: TP 1 FP 1 -> IoU 0.5, precision 0.5, recall 1; 2: FN 1 -> IoU 0, precision 0 (never predicted), recall 0.
        var m = new ConfusionMatrix(4);
        m.Add(new byte[] { 0, 1, 1 }, new byte[] { 0, 1, 2 });
        var s = SegmentationMetrics.From(m);
        Assert.True(s.Classes[3].IsAbsent);
        Assert.True(double.IsNaN(s.Classes[3].IoU));
        Assert.True(double.IsNaN(s.Classes[3].Precision));
        Assert.Equal(1, s.AbsentClassCount);
        Assert.Equal((1 + 0.5 + 0) / 3, s.MeanIoU, Eps);
        Assert.Equal(0.0, s.Classes[2].Precision);
        Assert.Equal((0.5 + 0) / 2, s.Precision, Eps);
        Assert.Equal((1 + 0) / 2.0, s.Recall, Eps);
    }

    [Fact]
    public void A_class_predicted_but_not_in_the_ground_truth_has_recall_zero()
    {
        var m = new ConfusionMatrix(3);
        // g1 p2, g1 p1: class 1 recall 1/2; class 2 (never in the ground truth) recall 0 -> mean 1/4.
        m.Add(new byte[] { 2, 1 }, new byte[] { 1, 1 });
        var s = SegmentationMetrics.From(m);
        Assert.Equal(0.0, s.Classes[2].Recall);
        Assert.Equal(0.0, s.Classes[2].Precision);
        Assert.Equal(1.0, s.Classes[2].FalsePositive);
        Assert.Equal(0.25, s.Recall, Eps);
    }

    [Fact]
    public void Only_background_gives_NaN_object_means()
    {
        var m = new ConfusionMatrix(3);
        m.Add(new byte[] { 0, 0 }, new byte[] { 0, 0 });
        var s = SegmentationMetrics.From(m);
        Assert.Equal(1.0, s.MeanIoU);
        Assert.True(double.IsNaN(s.Recall));
        Assert.Equal(1, s.EmptyPredictionCount);
    }

    [Fact]
    public void Empty_matrix_is_refused()
    {
        var m = new ConfusionMatrix(3);
        m.RecordNanMap();
        var e = Assert.Throws<InvalidOperationException>(() => SegmentationMetrics.From(m));
        Assert.Contains("1 NaN maps", e.Message);
    }

    [Fact]
    public void Wrong_number_of_names_is_rejected()
    {
        var m = new ConfusionMatrix(3);
        m.Add(new byte[] { 0 }, new byte[] { 0 });
        Assert.Throws<ArgumentException>(() => SegmentationMetrics.From(m, new[] { "a", "b" }));
    }
}
