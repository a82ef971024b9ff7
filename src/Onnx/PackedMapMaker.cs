using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.LpCam;
using LpCam.MLNet.Engine.Prototypes;
using LpCam.MLNet.Estimators;
using Microsoft.ML.OnnxRuntime;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// CAM or LPCAM maps of every class from packed features (<see cref="FeatureColumnLayout"/>), by the graphs the ML.NET
/// components compile (LocalPrototypes' graph; CamFeaturizer's CAM nodes), run by ONNX Runtime over arrays. The CLI makes
/// its maps with it, so the CLI's maps and the components' are the same computation. Thread-safe.
/// </summary>
public sealed class PackedMapMaker : IDisposable
{
    private const string Features = "features", FeatureSize = "feature_size", MapSize = "map_size", Maps = "maps";
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;

    private PackedMapMaker(float[] weights, int classCount, int featureDim, FeatureColumnLayout layout, bool cosine)
    {
        var graph = PackedMapGraph.Build([(weights, Maps)], classCount, featureDim, layout, Features, FeatureSize, MapSize, [], cosine: cosine);
        // One thread per run: callers make the maps of many images in parallel.
        _options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, EnableCpuMemArena = false };
        _session = new InferenceSession(graph, _options);
        (ClassCount, FeatureDim) = (classCount, featureDim);
    }

    /// <summary>CAM (the head W on every scale's features, the mirror image's map added; CamFeaturizer's Cam column).</summary>
    public static PackedMapMaker Cam(ClassifierHead head, FeatureColumnLayout layout)
    {
        ArgumentNullException.ThrowIfNull(head);
        return new(head.Weights, head.ClassCount, head.FeatureDim, layout, cosine: false);
    }

    /// <summary>LPCAM, or LPCAM-F with <paramref name="foregroundOnly"/> (LocalPrototypes' columns).</summary>
    public static PackedMapMaker LpCam(PrototypeSet prototypes, FeatureColumnLayout layout, bool foregroundOnly = false)
    {
        ArgumentNullException.ThrowIfNull(prototypes);
        using var method = new LocalPrototypeMap(prototypes, foregroundOnly);
        return new(method.EffectiveWeights.data<float>().ToArray(), prototypes.ClassCount, prototypes.FeatureDim, layout, cosine: true);
    }

    /// <summary>Classes C.</summary>
    public int ClassCount { get; }

    /// <summary>Channels D.</summary>
    public int FeatureDim { get; }

    /// <summary>The maps [C, <paramref name="mapHeight"/>, <paramref name="mapWidth"/>] of one image, values in [0, 1].</summary>
    public float[] Make(float[] packedFeatures, float[] featureSize, int mapHeight, int mapWidth)
    {
        ArgumentNullException.ThrowIfNull(packedFeatures);
        ArgumentNullException.ThrowIfNull(featureSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(mapHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(mapWidth, 1);
        using var f = OrtValue.CreateTensorValueFromMemory(packedFeatures, [1, packedFeatures.Length]);
        using var s = OrtValue.CreateTensorValueFromMemory(featureSize, [1, featureSize.Length]);
        using var m = OrtValue.CreateTensorValueFromMemory(new float[] { mapHeight, mapWidth }, [1, 2]);
        using var run = new RunOptions();
        using var outputs = _session.Run(run, [Features, FeatureSize, MapSize], [f, s, m], [Maps]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
