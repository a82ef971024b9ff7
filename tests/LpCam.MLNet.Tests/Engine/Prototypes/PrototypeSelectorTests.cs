using LpCam.MLNet.Engine.Prototypes;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.Prototypes;

public class PrototypeSelectorTests
{
    // W for C = 3 classes, D = 2: class 0 reads e0, class 1 reads e1, class 2 reads nothing.
    private static Tensor Weights() => tensor(new float[] { 1, 0, 0, 1, 0, 0 }, new long[] { 3, 2 });

    /// <summary>z_0 of a raw mean (a, b): softmax of logits (a, b, 0) at class 0.</summary>
    private static double Z0(double a, double b) => Math.Exp(a) / (Math.Exp(a) + Math.Exp(b) + 1);

    /// <summary>A clustering whose raw means are given; the centres are their unit directions.</summary>
    private static KMeansResult Clusters(params float[][] rawMeans)
    {
        var centres = rawMeans.Select(PrototypeTestData.Normalise).ToArray();
        var report = new KMeansReport(KMeansUpdateRule.Spherical, 1, true, [1.0], [0.0], 1.0, rawMeans.Select(_ => 1).ToArray(), 0);
        return new KMeansResult(centres, rawMeans, Enumerable.Range(0, rawMeans.Length).ToArray(), report);
    }

    [Fact]
    public void Scores_are_the_softmax_of_raw_dot_products()
    {
        using var w = Weights();
        var z = PrototypeSelector.Score([[10, 0], [2, 0], [0, 10], [1, 1]], w, classIndex: 0);
        Assert.Equal(Z0(10, 0), z[0], 6);
        Assert.Equal(Z0(2, 0), z[1], 6);
        Assert.Equal(Z0(0, 10), z[2], 6);
        Assert.Equal(Z0(1, 1), z[3], 6);
    }

    [Fact]
    public void The_raw_mean_passes_mu_f_where_the_unit_centre_gives_a_near_uniform_softmax()
    {
        using var w = Weights();
        float[] rawMean = [10, 0];

        float scoreRaw = PrototypeSelector.Score([rawMean], w, 0)[0];
        float scoreUnit = PrototypeSelector.Score([PrototypeTestData.Normalise(rawMean)], w, 0)[0];

        Assert.True(scoreRaw > 0.9, $"raw mean z_0 = {scoreRaw}");               // e^10 / (e^10 + 2) = 0.99991
        Assert.Equal(Math.E / (Math.E + 2), scoreUnit, 6);                        // 0.576: 1/3 would be uniform
        Assert.True(scoreUnit < 0.9);
        var (prototypes, report) = new PrototypeSelector().Select(0, Clusters(rawMean), null, w);
        Assert.False(report.FallbackUsed);
        Assert.Equal(new float[] { 1, 0 }, prototypes.ClassCentres[0]);   // the kept prototype is the unit centre
    }

    [Fact]
    public void Keeps_class_centres_above_mu_f_and_context_centres_between_the_bound_and_mu_b()
    {
        using var w = Weights();
        var fg = Clusters([10, 0], [2, 0], [0, 10]);          // z_0 = 0.9999, 0.787, 0.00005
        var bg = Clusters([0, 10], [1, 0], [10, 0], [0, 1]);  // z_0 = 0.00005, 0.576, 0.9999, 0.212

        var (p, r) = new PrototypeSelector().Select(0, fg, bg, w);

        Assert.Equal(new[] { 0 }, r.ClassKept);
        Assert.Equal(new[] { 1, 2 }, r.ClassDropped);
        Assert.Equal(new[] { 1, 3 }, r.ContextKept);
        Assert.Equal(new[] { 0, 2 }, r.ContextDropped);
        Assert.False(r.FallbackUsed);
        Assert.True(r.SelectionApplied);
        Assert.Equal(0, p.ClassIndex);
        Assert.Equal(new[] { new float[] { 1, 0 } }, p.ClassCentres);
        Assert.Equal(Z0(10, 0), p.ClassScores[0], 6);
        Assert.Equal(new[] { new float[] { 1, 0 }, new float[] { 0, 1 } }, p.ContextCentres);
        Assert.Equal(Z0(1, 0), p.ContextScores[0], 6);
        Assert.Equal(Z0(0, 1), p.ContextScores[1], 6);
        Assert.Equal(4, r.ContextScores.Count);
    }

    [Fact]
    public void A_zero_lower_bound_keeps_the_lowest_scoring_context()
    {
        using var w = Weights();
        var (_, r) = new PrototypeSelector(new PrototypeSelectionOptions { ContextLowerBound = 0 })
            .Select(0, Clusters([10, 0]), Clusters([0, 10], [1, 0], [10, 0]), w);
        Assert.Equal(new[] { 0, 1 }, r.ContextKept);
    }

    [Fact]
    public void Falls_back_to_the_best_centre_when_none_passes_mu_f()
    {
        using var w = Weights();
        var (p, r) = new PrototypeSelector().Select(0, Clusters([1, 0], [2, 0], [0, 3]), null, w);  // 0.576, 0.787, ...
        Assert.True(r.FallbackUsed);
        Assert.Equal(new[] { 1 }, r.ClassKept);
        Assert.Single(p.ClassCentres);
        Assert.Equal(Z0(2, 0), p.ClassScores[0], 6);
        Assert.Empty(p.ContextCentres);
        Assert.Empty(r.ContextScores);
    }

    [Fact]
    public void No_selection_mode_keeps_every_centre()
    {
        using var w = Weights();
        var (p, r) = new PrototypeSelector(new PrototypeSelectionOptions { Enabled = false })
            .Select(0, Clusters([10, 0], [0, 10]), Clusters([10, 0], [0, 10], [1, 1]), w);
        Assert.False(r.SelectionApplied);
        Assert.False(r.FallbackUsed);
        Assert.Equal(2, p.ClassCentres.Length);
        Assert.Equal(3, p.ContextCentres.Length);
        Assert.Equal(new[] { 0, 1, 2 }, r.ContextKept);
        Assert.Equal(Z0(0, 10), p.ClassScores[1], 6);
    }

    [Fact]
    public void Scores_another_class_by_its_own_column()
    {
        using var w = Weights();
        var z = PrototypeSelector.Score([[0, 10]], w, classIndex: 1);
        Assert.Equal(Z0(10, 0), z[0], 6);
    }

    [Fact]
    public void Bad_inputs_are_rejected_by_name()
    {
        using var w = Weights();
        using var flat = zeros(6);
        var e = Assert.Throws<ArgumentException>(() => PrototypeSelector.Score([[1, 0]], flat, 0));
        Assert.Equal("classifierWeights", e.ParamName);
        Assert.Contains("[6]", e.Message);
        Assert.Equal("classIndex", Assert.Throws<ArgumentException>(() => PrototypeSelector.Score([[1, 0]], w, 3)).ParamName);
        var len = Assert.Throws<ArgumentException>(() => PrototypeSelector.Score([[1, 0, 0]], w, 0));
        Assert.Equal("rawMeans", len.ParamName);
        Assert.Contains("D = 2", len.Message);
        using var nan = tensor(new float[] { 1, 0, 0, float.NaN, 0, 0 }, new long[] { 3, 2 });
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => PrototypeSelector.Score([[1, 0]], nan, 0)).Message);
    }

    [Theory]
    [InlineData("ClassThreshold")]
    [InlineData("ContextThreshold")]
    [InlineData("ContextLowerBound")]
    public void Bad_settings_are_rejected_naming_the_setting(string setting)
    {
        var options = setting switch
        {
            "ClassThreshold" => new PrototypeSelectionOptions { ClassThreshold = 1.5 },
            "ContextThreshold" => new PrototypeSelectionOptions { ContextThreshold = -0.1 },
            _ => new PrototypeSelectionOptions { ContextThreshold = 0.5, ContextLowerBound = 0.6 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PrototypeSelector(options));
        Assert.Equal(setting, e.ParamName);
        Assert.Contains(setting, e.Message);
    }
}
