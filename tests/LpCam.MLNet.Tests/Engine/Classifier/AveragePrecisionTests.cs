using LpCam.MLNet.Engine.Classifier;

namespace LpCam.MLNet.Tests.Engine.Classifier;

public class AveragePrecisionTests
{
    [Fact]
    public void Hand_computed_example_is_mean_precision_at_positive_ranks()
    {
        // Positives at ranks 1 and 3: precision 1/1 and 2/3, AP = (1 + 2/3) / 2.
        double ap = AveragePrecision.ForClass(new float[] { 0.9f, 0.8f, 0.7f, 0.6f }, new[] { true, false, true, false });
        Assert.Equal((1.0 + 2.0 / 3.0) / 2.0, ap, 12);
    }

    [Fact]
    public void Order_of_rows_does_not_matter()
    {
        double ap = AveragePrecision.ForClass(new float[] { 0.6f, 0.7f, 0.9f, 0.8f }, new[] { false, true, true, false });
        Assert.Equal(0.8333333333333, ap, 12);
    }

    [Fact]
    public void Perfect_ranking_gives_one_and_worst_ranking_the_hand_value()
    {
        Assert.Equal(1.0, AveragePrecision.ForClass(new float[] { 3, 2, 1, 0 }, new[] { true, true, false, false }), 12);
        // Positives last at ranks 3 and 4: (1/3 + 2/4) / 2.
        Assert.Equal((1.0 / 3 + 2.0 / 4) / 2, AveragePrecision.ForClass(new float[] { 3, 2, 1, 0 }, new[] { false, false, true, true }), 12);
    }

    [Fact]
    public void Tied_scores_enter_together_as_in_scikit_learn()
    {
        // One threshold holding both rows: recall 1 at precision 1/2 (sklearn gives 0.5, not 1).
        Assert.Equal(0.5, AveragePrecision.ForClass(new float[] { 0.5f, 0.5f }, new[] { true, false }), 12);
        Assert.Equal(0.5, AveragePrecision.ForClass(new float[] { 0.5f, 0.5f }, new[] { false, true }), 12);
        // scores [0.9, 0.5, 0.5, 0.1], labels [0, 1, 0, 1]: thresholds 0.9 (P 0), 0.5 (R 1/2, P 1/3), 0.1 (R 1, P 2/4).
        Assert.Equal(0.5 * (1.0 / 3) + 0.5 * 0.5,
            AveragePrecision.ForClass(new float[] { 0.9f, 0.5f, 0.5f, 0.1f }, new[] { false, true, false, true }), 12);
    }

    [Fact]
    public void Class_without_positive_is_NaN_and_left_out_of_the_mean()
    {
        var scores = new[] { new float[] { 0.9f, 0.1f, 0.3f }, new float[] { 0.8f, 0.2f, 0.9f }, new float[] { 0.1f, 0.3f, 0.5f } };
        var labels = new[] { new[] { true, false, false }, new[] { false, false, true }, new[] { false, false, false } };
        var report = AveragePrecision.Compute(scores, labels);
        Assert.Equal(1.0, report.PerClass[0], 12);
        Assert.True(double.IsNaN(report.PerClass[1]));
        Assert.Equal(1.0, report.PerClass[2], 12);
        Assert.Equal(1.0, report.Map, 12);
        Assert.True(double.IsNaN(AveragePrecision.Mean(new[] { double.NaN, double.NaN })));
    }

    [Fact]
    public void Invalid_input_is_rejected_with_the_row_or_lengths()
    {
        var nan = Assert.Throws<ArgumentException>(() => AveragePrecision.ForClass(new float[] { 0.1f, float.NaN }, new[] { true, false }));
        Assert.Contains("row 1", nan.Message);
        var lengths = Assert.Throws<ArgumentException>(() => AveragePrecision.ForClass(new float[] { 0.1f, 0.2f }, new[] { true }));
        Assert.Contains("2 scores, 1 labels", lengths.Message);
        var ragged = Assert.Throws<ArgumentException>(() => AveragePrecision.Compute(
            new[] { new float[] { 1, 2 }, new float[] { 1 } }, new[] { new[] { true, false }, new[] { true, false } }));
        Assert.Contains("length 1; expected 2", ragged.Message);
        Assert.Throws<ArgumentException>(() => AveragePrecision.Compute(Array.Empty<float[]>(), Array.Empty<bool[]>()));
    }
}
