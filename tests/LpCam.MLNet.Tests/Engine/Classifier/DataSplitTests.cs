using LpCam.MLNet.Engine.Classifier;

namespace LpCam.MLNet.Tests.Engine.Classifier;

public class DataSplitTests
{
    [Fact]
    public void KFold_holds_out_every_row_exactly_once_with_balanced_folds()
    {
        var splits = DataSplit.KFold(23, 5, seed: 7);
        Assert.Equal(5, splits.Count);
        var heldOut = splits.SelectMany(s => s.HeldOut).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 23), heldOut);
        foreach (var s in splits)
        {
            Assert.InRange(s.HeldOut.Length, 4, 5);
            Assert.Empty(s.Train.Intersect(s.HeldOut));
            Assert.Equal(23, s.Train.Length + s.HeldOut.Length);
        }
    }

    [Fact]
    public void Splits_are_reproducible_and_depend_on_the_seed()
    {
        Assert.Equal(DataSplit.KFold(50, 5, 1)[0].HeldOut, DataSplit.KFold(50, 5, 1)[0].HeldOut);
        Assert.NotEqual(DataSplit.KFold(50, 5, 1)[0].HeldOut, DataSplit.KFold(50, 5, 2)[0].HeldOut);
        Assert.Equal(DataSplit.Holdout(50, 0.2, 3).HeldOut, DataSplit.Holdout(50, 0.2, 3).HeldOut);
    }

    [Fact]
    public void Holdout_takes_the_rounded_fraction_and_keeps_both_sides_non_empty()
    {
        var split = DataSplit.Holdout(10, 0.25, 0);
        Assert.Equal(3, split.HeldOut.Length);
        Assert.Equal(7, split.Train.Length);
        Assert.Single(DataSplit.Holdout(2, 0.01, 0).HeldOut);
        Assert.Single(DataSplit.Holdout(2, 0.99, 0).Train);
    }

    [Fact]
    public void Bad_arguments_name_the_parameter()
    {
        Assert.Equal("folds", Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.KFold(3, 4)).ParamName);
        Assert.Equal("folds", Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.KFold(3, 1)).ParamName);
        Assert.Equal("heldOutFraction", Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Holdout(10, 1.0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => DataSplit.Holdout(1, 0.5)).ParamName);
    }

    [Fact]
    public void Select_picks_rows_in_index_order()
    {
        Assert.Equal(new[] { "c", "a" }, DataSplit.Select(new[] { "a", "b", "c" }, new[] { 2, 0 }));
    }
}
