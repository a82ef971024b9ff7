using BenchmarkDotNet.Attributes;
using LpCam.MLNet.Engine.Prototypes;
using TorchSharp;
using static TorchSharp.torch;

namespace LpCam.Benchmarks;

/// <summary>
/// Spherical k-means at the size of a capped LPCAM sample: 50,000 random 512-D rows (ResNet-18 channels), K = 12, on the
/// CPU. The iteration cap with tolerance 0 makes every run do the same work: k-means++ seeding plus that many rounds.
/// </summary>
[MemoryDiagnoser]
public class KMeansBenchmarks
{
    private Tensor _features = null!;

    /// <summary>Rounds per fit (tolerance 0, so exactly this many).</summary>
    [Params(5)]
    public int Iterations { get; set; }

    /// <summary>The update rule.</summary>
    [Params(KMeansUpdateRule.Spherical, KMeansUpdateRule.Reference)]
    public KMeansUpdateRule Rule { get; set; }

    /// <summary>Builds the fixed-seed random features.</summary>
    [GlobalSetup]
    public void Setup()
    {
        using var generator = new Generator(42);
        _features = randn(new long[] { 50_000, 512 }, generator: generator);
    }

    /// <summary>Frees the features.</summary>
    [GlobalCleanup]
    public void Cleanup() => _features.Dispose();

    /// <summary>One fit: k-means++ seeding and <see cref="Iterations"/> rounds.</summary>
    [Benchmark]
    public double Fit()
    {
        var kmeans = new SphericalKMeans(new SphericalKMeansOptions
        {
            Clusters = 12,
            MaxIterations = Iterations,
            Tolerance = 0,
            UpdateRule = Rule,
            Seed = 1,
        });
        return kmeans.Fit(_features).Report.FinalObjective;
    }
}
