using BenchmarkDotNet.Attributes;
using LpCam.MLNet.Engine.LpCam;
using LpCam.MLNet.Engine.Prototypes;
using static TorchSharp.torch;

namespace LpCam.Benchmarks;

/// <summary>
/// The LPCAM map stage on realistic shapes: D = 512, a 20 x 28 feature map (a VOC image at long side ~448-896 and stride
/// 16-32), 20 classes with 12 class and 12 context prototypes each. Folded weights (the engine) versus one product with all
/// prototypes versus a loop over prototypes (the plain definition).
/// </summary>
[MemoryDiagnoser]
public class LpCamMapBenchmarks
{
    private const int Dim = 512, Classes = 20, PerSet = 12;
    private PrototypeSet _set = null!;
    private LocalPrototypeMap _map = null!;
    private Tensor _features = null!, _index = null!;

    /// <summary>Images per batch.</summary>
    [Params(1, 8)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(Environment.ProcessorCount);
        var rng = new Random(1);
        float[][] Centres() => Enumerable.Range(0, PerSet).Select(_ => Enumerable.Range(0, Dim).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        _set = new PrototypeSet(Dim, Enumerable.Range(0, Classes)
            .Select(c => new ClassPrototypes(c, Centres(), new float[PerSet], Centres(), new float[PerSet])).ToList());
        _map = new LocalPrototypeMap(_set);
        manual_seed(1);
        _features = rand(Batch, Dim, 20, 28);
        _index = arange(Classes, dtype: ScalarType.Int64);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _map.Dispose();
        _features.Dispose();
        _index.Dispose();
    }

    [Benchmark(Baseline = true, Description = "folded weights (engine)")]
    public float Folded()
    {
        using var s = _map.Scores(_features, _index);
        return s[0, 0, 0, 0].item<float>();
    }

    [Benchmark(Description = "one product with all prototypes")]
    public float AllPrototypesProduct()
    {
        using var s = LpCamReference.ScoresByPrototypeMatrix(_set, _features, false);
        return s[0, 0, 0, 0].item<float>();
    }

    [Benchmark(Description = "loop over prototypes")]
    public float PrototypeLoop()
    {
        using var s = LpCamReference.ScoresByPrototypeLoop(_set, _features, false);
        return s[0, 0, 0, 0].item<float>();
    }
}
