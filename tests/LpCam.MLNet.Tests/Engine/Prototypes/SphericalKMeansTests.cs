using LpCam.MLNet.Engine.Prototypes;
using static LpCam.MLNet.Tests.Engine.Prototypes.PrototypeTestData;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.Prototypes;

public class SphericalKMeansTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Recovers_well_separated_clusters_of_directions(int seed)
    {
        var (rows, truth, directions) = Clusters(seed: 100 + seed, clusters: 4, perCluster: 200, d: 16, noise: 0.05);
        using var x = Matrix(rows, 16);

        var result = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 4, Seed = seed }).Fit(x);

        Assert.True(result.Report.Converged);
        Assert.Equal(4, result.ClusterCount);
        foreach (var centre in result.Centres)
        {
            Assert.True(directions.Max(dir => Cosine(centre, dir)) > 0.99, "every centre is within cosine 0.99 of a true direction");
            Assert.Equal(1.0, Math.Sqrt(centre.Sum(v => (double)v * v)), 5);
        }
        // Pure clusters: every recovered cluster holds the 200 points of exactly one true cluster.
        for (int k = 0; k < 4; k++)
        {
            var members = Enumerable.Range(0, truth.Length).Where(i => result.Assignments[i] == k).Select(i => truth[i]).ToList();
            Assert.Equal(200, members.Count);
            Assert.Single(members.Distinct());
        }
        Assert.Equal(new[] { 200, 200, 200, 200 }, result.Report.ClusterSizes);
    }

    [Fact]
    public void Raw_means_are_in_feature_units_while_centres_are_unit()
    {
        // Two clusters along e0 and e1 with lengths 2 and 6 (cluster 0) and 10 (cluster 1).
        float[] rows = [2, 0, 6, 0, 0, 10, 0, 10];
        using var x = Matrix(rows, 2);

        var result = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 2 }).Fit(x);

        int a = result.Assignments[0];
        int b = result.Assignments[2];
        Assert.NotEqual(a, b);
        Assert.Equal(new float[] { 4, 0 }, result.RawMeans[a]);
        Assert.Equal(new float[] { 0, 10 }, result.RawMeans[b]);
        Assert.Equal(new float[] { 1, 0 }, result.Centres[a]);
        Assert.Equal(new float[] { 0, 1 }, result.Centres[b]);
        Assert.Equal(1.0, result.Report.FinalObjective, 6);
    }

    [Fact]
    public void Same_seed_gives_identical_results_and_another_seed_differs_on_ambiguous_data()
    {
        using var x = Matrix(RandomRows(seed: 5, n: 600, d: 8), 8);
        KMeansResult Run(int seed) => new SphericalKMeans(new SphericalKMeansOptions { Clusters = 6, Seed = seed }).Fit(x);

        var first = Run(11);
        var again = Run(11);
        var other = Run(12);

        Assert.Equal(first.Assignments, again.Assignments);
        for (int k = 0; k < 6; k++)
            Assert.Equal(first.Centres[k], again.Centres[k]);
        Assert.Equal(first.Report.Objectives, again.Report.Objectives);
        Assert.NotEqual(first.Assignments, other.Assignments);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Objective_never_decreases_in_spherical_mode(int seed)
    {
        using var x = Matrix(RandomRows(seed: seed, n: 3000, d: 16), 16);

        var report = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 12, Seed = seed, Tolerance = 0, MaxIterations = 60 }).Fit(x).Report;

        Assert.True(report.Iterations >= 5, $"only {report.Iterations} iterations: the test needs a real descent");
        for (int i = 1; i < report.Objectives.Count; i++)
            Assert.True(report.Objectives[i] >= report.Objectives[i - 1] - 1e-6, $"objective fell at iteration {i + 1}: {report.Objectives[i - 1]} -> {report.Objectives[i]}");
        Assert.True(report.Objectives[^1] > report.Objectives[0] + 1e-3);
        Assert.True(report.FinalObjective >= report.Objectives[^1] - 1e-6);
    }

    [Fact]
    public void Empty_clusters_are_reseeded_and_every_cluster_keeps_a_member()
    {
        // Three distinct directions, ten copies each, and K = 5: seeding must repeat a direction, ties go to the first
        // centre, so the copies leave clusters empty. Without re-seeding their centres would be NaN (0 / 0).
        var rows = new List<float>();
        float[][] distinct = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
        foreach (var p in distinct)
            for (int i = 0; i < 10; i++)
                rows.AddRange(p);
        using var x = Matrix(rows.ToArray(), 3);

        var result = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 5, Seed = 3 }).Fit(x);

        Assert.True(result.Report.ReseededClusters > 0);
        Assert.All(result.Report.ClusterSizes, s => Assert.True(s >= 1));
        Assert.Equal(30, result.Report.ClusterSizes.Sum());
        Assert.All(result.Centres, c => Assert.All(c, v => Assert.True(float.IsFinite(v))));
        Assert.All(result.RawMeans, c => Assert.All(c, v => Assert.True(float.IsFinite(v))));
        Assert.Equal(1.0, result.Report.FinalObjective, 6);
    }

    [Theory]
    [InlineData(KMeansUpdateRule.Spherical)]
    [InlineData(KMeansUpdateRule.Reference)]
    public void Chunked_assignment_equals_unchunked(KMeansUpdateRule rule)
    {
        using var x = Matrix(RandomRows(seed: 9, n: 1000, d: 16), 16);
        KMeansResult Run(int chunk) => new SphericalKMeans(new SphericalKMeansOptions { Clusters = 6, Seed = 4, ChunkRows = chunk, UpdateRule = rule }).Fit(x);

        var small = Run(7);
        var whole = Run(10_000);

        Assert.Equal(whole.Assignments, small.Assignments);
        Assert.Equal(whole.Report.Iterations, small.Report.Iterations);
        for (int k = 0; k < 6; k++)
            for (int j = 0; j < 16; j++)
                Assert.Equal(whole.Centres[k][j], small.Centres[k][j], 5);
    }

    [Fact]
    public void Reference_rule_stops_when_the_squared_centre_shift_falls_below_the_tolerance()
    {
        var (rows, truth, directions) = Clusters(seed: 21, clusters: 3, perCluster: 100, d: 8, noise: 0.3);
        using var x = Matrix(rows, 8);
        const double tol = 1e-4;

        var result = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 3, Seed = 1, UpdateRule = KMeansUpdateRule.Reference, Tolerance = tol }).Fit(x);
        var r = result.Report;

        Assert.Equal(KMeansUpdateRule.Reference, r.UpdateRule);
        Assert.True(r.Converged);
        Assert.Equal(r.Iterations, r.CentreShifts.Count);
        Assert.True(r.CentreShifts[^1] < tol);
        for (int i = 0; i < r.CentreShifts.Count - 1; i++)
            Assert.True(r.CentreShifts[i] >= tol, $"shift {r.CentreShifts[i]} < tol at iteration {i + 1} but the run went on");
        Assert.All(result.Centres, c => Assert.Equal(1.0, Math.Sqrt(c.Sum(v => (double)v * v)), 5));
        foreach (var centre in result.Centres)
            Assert.True(directions.Max(dir => Cosine(centre, dir)) > 0.98);
    }

    [Fact]
    public void Iteration_cap_stops_an_unconverged_run()
    {
        using var x = Matrix(RandomRows(seed: 2, n: 2000, d: 16), 16);

        var report = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 12, MaxIterations = 2, Tolerance = 0 }).Fit(x).Report;

        Assert.Equal(2, report.Iterations);
        Assert.False(report.Converged);
        Assert.Equal(2, report.Objectives.Count);
    }

    [Fact]
    public void K_larger_than_N_is_rejected_naming_K_and_N()
    {
        using var x = Matrix(RandomRows(1, 5, 4), 4);
        var e = Assert.Throws<ArgumentException>(() => new SphericalKMeans(new SphericalKMeansOptions { Clusters = 6 }).Fit(x));
        Assert.Contains("K = 6", e.Message);
        Assert.Contains("N = 5", e.Message);
        Assert.Equal("features", e.ParamName);
    }

    [Fact]
    public void No_rows_is_rejected()
    {
        using var x = zeros(0, 4);
        var e = Assert.Throws<ArgumentException>(() => new SphericalKMeans().Fit(x));
        Assert.Contains("[0, 4]", e.Message);
        Assert.Equal("features", e.ParamName);
    }

    [Fact]
    public void NaN_input_is_rejected()
    {
        var rows = RandomRows(1, 20, 4);
        rows[13] = float.NaN;
        using var x = Matrix(rows, 4);
        var e = Assert.Throws<ArgumentException>(() => new SphericalKMeans(new SphericalKMeansOptions { Clusters = 2 }).Fit(x));
        Assert.Contains("NaN", e.Message);
        Assert.Equal("features", e.ParamName);
    }

    [Fact]
    public void Wrong_rank_is_rejected_with_the_shape()
    {
        using var x = zeros(3, 4, 5);
        var e = Assert.Throws<ArgumentException>(() => new SphericalKMeans().Fit(x));
        Assert.Contains("[3, 4, 5]", e.Message);
        Assert.Equal("features", e.ParamName);
    }

    [Fact]
    public void The_input_tensor_survives_the_fit()
    {
        using var x = Matrix(RandomRows(1, 50, 4), 4);
        new SphericalKMeans(new SphericalKMeansOptions { Clusters = 3 }).Fit(x);
        Assert.Equal(new long[] { 50, 4 }, x.shape);
        Assert.True(float.IsFinite(x.sum().item<float>()));
    }

    [Theory]
    [InlineData("Clusters")]
    [InlineData("MaxIterations")]
    [InlineData("Tolerance")]
    [InlineData("ChunkRows")]
    [InlineData("UpdateRule")]
    public void Bad_options_are_rejected_naming_the_setting(string setting)
    {
        var options = setting switch
        {
            "Clusters" => new SphericalKMeansOptions { Clusters = 0 },
            "MaxIterations" => new SphericalKMeansOptions { MaxIterations = 0 },
            "Tolerance" => new SphericalKMeansOptions { Tolerance = double.NaN },
            "ChunkRows" => new SphericalKMeansOptions { ChunkRows = 0 },
            _ => new SphericalKMeansOptions { UpdateRule = (KMeansUpdateRule)7 },
        };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SphericalKMeans(options));
        Assert.Equal(setting, e.ParamName);
        Assert.Contains(setting, e.Message);
    }
}
