using LpCam.MLNet.Engine.Classifier;

namespace LpCam.MLNet.Tests.Engine.Classifier;

public class MultiLabelHeadValidationTests
{
    private static readonly MultiLabelHeadTrainer Trainer = new(new MultiLabelHeadOptions { Epochs = 1 });

    private static float[][] Features(int rows, int dim = 4) =>
        Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, dim).Select(d => (float)(i + d)).ToArray()).ToArray();

    private static float[][] Labels(int rows, int classes = 3) =>
        Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, classes).Select(c => (float)((i + c) % 2)).ToArray()).ToArray();

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_feature_names_the_row(float bad)
    {
        var x = Features(5);
        x[3][2] = bad;
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(x, Labels(5)));
        Assert.Contains("row 3", e.Message);
        Assert.Equal("pooled", e.ParamName);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(2f)]
    [InlineData(-0.5f)]
    public void Bad_label_names_the_row(float bad)
    {
        var y = Labels(5);
        y[4][0] = bad;
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(Features(5), y));
        Assert.Contains("row 4", e.Message);
        Assert.Equal("labels", e.ParamName);
    }

    [Fact]
    public void Label_width_different_from_C_gives_expected_and_actual()
    {
        var y = Labels(5);
        y[2] = new float[] { 1, 0 };
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(Features(5), y));
        Assert.Contains("row 2 has length 2; expected C = 3", e.Message);
    }

    [Fact]
    public void Ragged_feature_rows_give_expected_and_actual()
    {
        var x = Features(5);
        x[1] = new float[] { 1, 2, 3 };
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(x, Labels(5)));
        Assert.Contains("row 1 has length 3; expected 4", e.Message);
    }

    [Fact]
    public void Validation_rows_must_match_training_widths()
    {
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(Features(5), Labels(5), Features(2, dim: 6), Labels(2)));
        Assert.Contains("validation feature row 0 has length 6; expected 4", e.Message);
        var c = Assert.Throws<ArgumentException>(() => Trainer.Train(Features(5), Labels(5), Features(2), Labels(2, classes: 2)));
        Assert.Contains("expected C = 3", c.Message);
        Assert.Throws<ArgumentException>(() => Trainer.Train(Features(5), Labels(5), Features(2), null));
    }

    [Fact]
    public void Empty_input_and_row_count_mismatch_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Trainer.Train(Array.Empty<float[]>(), Array.Empty<float[]>()));
        var e = Assert.Throws<ArgumentException>(() => Trainer.Train(Features(5), Labels(4)));
        Assert.Contains("4 rows; expected one per feature row (5)", e.Message);
    }

    [Fact]
    public void Options_reject_bad_values_naming_parameter_value_and_expectation()
    {
        var epochs = Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions { Epochs = 0 });
        Assert.Equal("Epochs", epochs.ParamName);
        Assert.Contains("was 0; expected an integer >= 1", epochs.Message);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions { BatchSize = -1 }).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions { LearningRate = 0 }).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions { LearningRate = double.NaN }).ParamName);
        Assert.Equal("WeightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions { WeightDecay = -1e-4 }).ParamName);
        Assert.Equal("LearningRateDecayPower", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions { LearningRateDecayPower = -1 }).ParamName);
        Assert.Equal("Optimizer", Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions { Optimizer = (HeadOptimizer)7 }).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MultiLabelHeadOptions() with { Epochs = -3 });
    }

    [Fact]
    public void Classifier_head_checks_its_weights_and_input_length()
    {
        Assert.Throws<ArgumentException>(() => new ClassifierHead(2, 3, new float[5]));
        Assert.Throws<ArgumentException>(() => new ClassifierHead(1, 2, new[] { 1f, float.NaN }));
        var head = new ClassifierHead(1, 2, new[] { 1f, -1f });
        Assert.Throws<ArgumentException>(() => head.Scores(new float[3]));
    }
}
