using BenchmarkDotNet.Attributes;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;

namespace LpCam.Benchmarks;

/// <summary>
/// Feature extraction with the rewritten pretrained ResNet-18 (ONNX Runtime, CPU unless a GPU is configured):
/// milliseconds per image at long side 224 and 448 (4:3 images), stride 32 and 16, and batch 1 versus 8 at 320 x 320.
/// Run: <c>dotnet run -c Release --project benchmarks/LpCam.Benchmarks -- --filter *BackboneBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser(false)]
public class BackboneBenchmarks
{
    private OnnxBackbone _os32 = null!;
    private OnnxBackbone _os16 = null!;
    private RgbImage _long224 = null!;
    private RgbImage _long448 = null!;
    private RgbImage[] _square320 = null!;

    /// <summary>Builds both backbones and deterministic pseudo-random images (speed does not depend on content).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _os32 = Backbone.ResNet18(32);
        _os16 = Backbone.ResNet18(16);
        _long224 = Noise(168, 224, 1);
        _long448 = Noise(336, 448, 2);
        _square320 = Enumerable.Range(0, 8).Select(i => Noise(320, 320, 10 + i)).ToArray();
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _os32.Dispose();
        _os16.Dispose();
    }

    /// <summary>One 168 x 224 image, stride 32.</summary>
    [Benchmark]
    public float[] Os32_LongSide224() => _os32.Extract(_long224, out _, out _);

    /// <summary>One 336 x 448 image, stride 32.</summary>
    [Benchmark]
    public float[] Os32_LongSide448() => _os32.Extract(_long448, out _, out _);

    /// <summary>One 336 x 448 image, stride 16 (dilated last stage).</summary>
    [Benchmark]
    public float[] Os16_LongSide448() => _os16.Extract(_long448, out _, out _);

    /// <summary>One 320 x 320 image per run.</summary>
    [Benchmark(Baseline = true)]
    public float[] Os32_320_Batch1() => _os32.Extract(_square320[0], out _, out _);

    /// <summary>Eight 320 x 320 images in one run; reported per image.</summary>
    [Benchmark(OperationsPerInvoke = 8)]
    public IReadOnlyList<float[]> Os32_320_Batch8() => _os32.ExtractBatch(_square320, out _, out _);

    private static RgbImage Noise(int height, int width, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[3 * height * width];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = random.Next(256);
        return new RgbImage(height, width, pixels);
    }
}
