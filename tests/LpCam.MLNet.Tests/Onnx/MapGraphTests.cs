using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.LpCam;
using LpCam.MLNet.Engine.Prototypes;
using LpCam.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace LpCam.MLNet.Tests.Onnx;

public class MapGraphTests
{
    private static float[] Run(byte[] model, Tensor features, string output, out int[] dims)
    {
        using var session = new InferenceSession(model);
        var input = new DenseTensor<float>(features.data<float>().ToArray(), features.shape.Select(d => (int)d).ToArray());
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(MapGraph.FeaturesInput, input) });
        var t = results.First(r => r.Name == output).AsTensor<float>();
        dims = t.Dimensions.ToArray();
        return t.ToArray();
    }

    private static float MaxAbsDiff(float[] a, Tensor b) => a.Zip(b.data<float>().ToArray(), (x, y) => Math.Abs(x - y)).Max();

    [Fact]
    public void Lpcam_graph_equals_the_engine_single_scale()
    {
        var rng = new Random(4);
        float[][] Centres(int k) => Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, 8).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();
        var set = new PrototypeSet(8, Enumerable.Range(0, 3).Select(c => new ClassPrototypes(c, Centres(3), new float[3], Centres(2), new float[2])).ToList());
        using var engine = new LocalPrototypeMap(set);
        manual_seed(2);
        using var f = randn(2, 8, 5, 7);
        using var expected = engine.Compute(new[] { new ScaleFeatures(f) }, 20, 28);

        var weights = engine.EffectiveWeights.data<float>().ToArray();
        var model = MapGraph.Build(weights, 3, 8, normalizeFeatures: true, 20, 28, withScores: false, new Dictionary<string, string> { ["k"] = "v" });
        var actual = Run(model, f, MapGraph.MapsOutput, out var dims);
        Assert.Equal(new[] { 2, 3, 20, 28 }, dims);
        Assert.True(MaxAbsDiff(actual, expected) < 1e-5f, $"max diff {MaxAbsDiff(actual, expected)}");
    }

    [Fact]
    public void Cam_graph_equals_the_engine_and_scores_are_sigmoid_of_pooled_logits()
    {
        manual_seed(3);
        using var w = randn(4, 6);
        using var cam = new ClassActivationMap(w);
        using var f = rand(1, 6, 3, 4);
        using var expected = cam.Compute(new[] { new ScaleFeatures(f) }, 3, 4);
        var model = MapGraph.Build(w.data<float>().ToArray(), 4, 6, normalizeFeatures: false, 0, 0, withScores: true, Array.Empty<KeyValuePair<string, string>>());
        var maps = Run(model, f, MapGraph.MapsOutput, out var dims);
        Assert.Equal(new[] { 1, 4, 3, 4 }, dims);
        Assert.True(MaxAbsDiff(maps, expected) < 1e-5f);

        var scores = Run(model, f, MapGraph.ScoresOutput, out var sdims);
        Assert.Equal(new[] { 1, 4 }, sdims);
        using var logits = w.matmul(f.mean(new long[] { 2, 3 }).reshape(6, 1)).reshape(4);
        using var probs = sigmoid(logits);
        Assert.True(MaxAbsDiff(scores, probs) < 1e-5f);
    }
}
