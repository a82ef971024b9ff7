using LpCam.MLNet.Engine;
using LpCam.MLNet.Engine.Classifier;

namespace LpCam.MLNet.Tests.Engine.Classifier;

public class MultiLabelHeadTrainerTests
{
    private const int Dim = 32, Classes = 5;

    [Fact]
    public void Separable_synthetic_data_reaches_high_held_out_mAP_and_the_loss_falls()
    {
        var (x, y) = SyntheticHeadData.Make(500, Dim, Classes, seed: 11);
        var split = DataSplit.Holdout(x.Length, 0.3, seed: 1);
        var result = new MultiLabelHeadTrainer(device: TorchDevice.Resolve("cpu")).Train(
            DataSplit.Select(x, split.Train), DataSplit.Select(y, split.Train),
            DataSplit.Select(x, split.HeldOut), DataSplit.Select(y, split.HeldOut));

        Assert.NotNull(result.Validation);
        Assert.True(result.Validation!.Map > 0.95, $"held-out mAP {result.Validation.Map:F4} should exceed 0.95");
        Assert.Equal(Classes, result.Validation.PerClass.Length);
        Assert.Equal(MultiLabelHeadOptions.Defaults.Epochs, result.EpochLosses.Length);
        Assert.True(result.EpochLosses[^1] < 0.5 * result.EpochLosses[0],
            $"loss should fall: epoch 1 {result.EpochLosses[0]:F4}, last {result.EpochLosses[^1]:F4}");
    }

    [Fact]
    public void Head_is_bias_free_C_by_D_and_scores_are_the_sigmoid_of_W_dot_f()
    {
        var (x, y) = SyntheticHeadData.Make(60, Dim, Classes, seed: 3);
        var head = new MultiLabelHeadTrainer(new MultiLabelHeadOptions { Epochs = 5 }).Train(x, y).Head;
        Assert.Equal(Classes, head.ClassCount);
        Assert.Equal(Dim, head.FeatureDim);
        Assert.Equal(Classes * Dim, head.Weights.Length);
        // No bias: the zero vector scores exactly 0.5 for every class.
        Assert.All(head.Scores(new float[Dim]), s => Assert.Equal(0.5f, s));
        double logit = 0;
        for (int d = 0; d < Dim; d++) logit += head.Weights[2 * Dim + d] * x[0][d];
        Assert.Equal(1 / (1 + Math.Exp(-logit)), head.Scores(x[0])[2], 5);
    }

    [Fact]
    public void Same_seed_gives_identical_weights_and_another_seed_differs()
    {
        var (x, y) = SyntheticHeadData.Make(100, Dim, Classes, seed: 5);
        var options = new MultiLabelHeadOptions { Epochs = 10, Seed = 42 };
        var a = new MultiLabelHeadTrainer(options).Train(x, y);
        var b = new MultiLabelHeadTrainer(options).Train(x, y);
        var c = new MultiLabelHeadTrainer(options with { Seed = 43 }).Train(x, y);
        Assert.Equal(a.Head.Weights, b.Head.Weights);
        Assert.Equal(a.EpochLosses, b.EpochLosses);
        Assert.NotEqual(a.Head.Weights, c.Head.Weights);
    }

    [Fact]
    public void Bool_labels_train_the_same_head_as_float_labels()
    {
        var (x, y) = SyntheticHeadData.Make(50, Dim, Classes, seed: 9);
        var options = new MultiLabelHeadOptions { Epochs = 3 };
        var asFloat = new MultiLabelHeadTrainer(options).Train(x, y);
        var asBool = new MultiLabelHeadTrainer(options).Train(x, y.Select(r => r.Select(v => v > 0.5f).ToArray()).ToArray());
        Assert.Equal(asFloat.Head.Weights, asBool.Head.Weights);
    }

    [Fact]
    public void Sgd_also_learns_the_synthetic_task()
    {
        var (x, y) = SyntheticHeadData.Make(300, Dim, Classes, seed: 13);
        var split = DataSplit.Holdout(x.Length, 0.3, seed: 2);
        var options = new MultiLabelHeadOptions { Optimizer = HeadOptimizer.Sgd, LearningRate = 0.5, Epochs = 50 };
        var result = new MultiLabelHeadTrainer(options).Train(
            DataSplit.Select(x, split.Train), DataSplit.Select(y, split.Train),
            DataSplit.Select(x, split.HeldOut), DataSplit.Select(y, split.HeldOut));
        Assert.True(result.Validation!.Map > 0.9, $"SGD held-out mAP {result.Validation.Map:F4}");
    }

    [Fact]
    public void Cross_validation_reports_every_fold()
    {
        var (x, y) = SyntheticHeadData.Make(200, Dim, Classes, seed: 17);
        var cv = new MultiLabelHeadTrainer(new MultiLabelHeadOptions { Epochs = 30 }).CrossValidate(x, y, folds: 4);
        Assert.Equal(4, cv.Folds.Count);
        Assert.Equal(cv.Folds.Average(f => f.Map), cv.MeanMap, 12);
        Assert.True(cv.MeanMap > 0.9, $"cross-validated mAP {cv.MeanMap:F4}");
    }

    [Fact]
    public void Cross_validation_and_the_final_head_on_three_threads_equal_the_sequential_calls()
    {
        var (x, y) = SyntheticHeadData.Make(120, Dim, Classes, seed: 5);
        var trainer = new MultiLabelHeadTrainer(new MultiLabelHeadOptions { Epochs = 10, Seed = 3 });
        var cv = trainer.CrossValidate(x, y, folds: 4);
        var final = trainer.Train(x, y);
        var (parallelCv, parallelFinal) = trainer.CrossValidateAndTrain(x, y, folds: 4, workers: 3);
        Assert.Equal(cv.Folds.Select(f => f.Map), parallelCv.Folds.Select(f => f.Map));
        Assert.Equal(cv.MeanMap, parallelCv.MeanMap);
        Assert.Equal(final.Head.Weights, parallelFinal.Head.Weights);
        Assert.Equal(final.EpochLosses, parallelFinal.EpochLosses);
    }
}
