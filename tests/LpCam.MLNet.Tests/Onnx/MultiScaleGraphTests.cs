using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Images;
using LpCam.MLNet.Onnx;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace LpCam.MLNet.Tests.Onnx;

/// <summary>The one-graph multi-scale + flip CAM (<see cref="MultiScaleCamGraph"/>) against the engine.</summary>
public class MultiScaleGraphTests(ITestOutputHelper output)
{
    private static ClassifierHead RandomHead(int classes, int dim, int seed)
    {
        var rng = new Random(seed);
        return new ClassifierHead(classes, dim, Enumerable.Range(0, classes * dim).Select(_ => (float)((rng.NextDouble() * 2 - 1) * 0.05)).ToArray());
    }

    /// <summary>Bilinear, half-pixel, no antialiasing: what the graph's Resize does.</summary>
    private static RgbImage ResizeLikeTheGraph(RgbImage image, int height, int width)
    {
        if (height == image.Height && width == image.Width) return image;
        using var scope = NewDisposeScope();
        var t = tensor(image.Pixels, new long[] { 1, 3, image.Height, image.Width });
        var r = nn.functional.interpolate(t, new[] { (long)height, width }, mode: InterpolationMode.Bilinear, align_corners: false);
        return new RgbImage(height, width, r.contiguous().data<float>().ToArray());
    }

    private static float MaxAbs(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    [Fact]
    public void Multi_scale_flip_graph_equals_the_engine_on_real_images()
    {
        const int H = 202, W = 266; // not multiples of 32: every scale is padded inside the graph and cropped back
        var scales = InferenceScales.ReferenceScales;
        var head = RandomHead(20, 512, 7);
        var model = ResNet18Rewriter.Rewrite(32);
        using var backbone = new OnnxBackbone(model);
        using var runner = new MultiScaleCamRunner(model, head, scales, flip: true, H, W, gpuDeviceId: null, log: output.WriteLine);
        using var cam = ClassActivationMap.FromWeights(head.Weights, 20, 512);
        Assert.Equal("CPU", runner.ExecutionProvider);

        foreach (var name in VocDev.Names(2))
        {
            var image = RgbImage.Load(VocDev.Jpeg(name)).Resize(H, W);
            var actual = runner.Run(image, out var scores);
            Assert.Equal(20 * H * W, actual.Length);

            // The engine over features of the same resized images.
            var owned = new List<Tensor>();
            var perScale = new List<ScaleFeatures>();
            foreach (double s in scales)
            {
                var (hs, ws) = InferenceScales.ScaledSize(H, W, s);
                var scaled = ResizeLikeTheGraph(image, hs, ws);
                var f = backbone.ExtractTensor([scaled]);
                var ff = backbone.ExtractTensor([scaled.FlipHorizontal()]);
                owned.Add(f);
                owned.Add(ff);
                perScale.Add(new ScaleFeatures(f, ff));
            }
            using var expected = cam.Compute(perScale, H, W);
            float diff = MaxAbs(actual, expected.data<float>().ToArray());

            // Scores: sigmoid of the head on the pooled features of scale 1.0, un-flipped.
            var pooled = owned[0].mean(new long[] { 2, 3 }).data<float>().ToArray();
            float scoreDiff = MaxAbs(scores, head.Scores(pooled));

            // The engine's own path (SkiaSharp resizing) differs by the resampling only.
            using var skia = MultiScaleFeatures.Extract(image, InferenceScales.Reference, batch => backbone.ExtractTensor(batch));
            using var engine = cam.Compute(skia.Scales, H, W);
            var e = engine.data<float>().ToArray();
            float skiaMax = MaxAbs(actual, e);
            float skiaMean = actual.Zip(e, (x, y) => Math.Abs(x - y)).Average();
            foreach (var t in owned) t.Dispose();

            output.WriteLine($"{name}: graph vs engine (same resized inputs) max |diff| {diff:E2}; scores {scoreDiff:E2}; " +
                $"vs engine with SkiaSharp resizing: max {skiaMax:F3}, mean {skiaMean:F4}");
            Assert.True(diff < 1e-4f, $"{name}: max |diff| {diff}");
            Assert.True(scoreDiff < 1e-5f, $"{name}: score diff {scoreDiff}");
            Assert.True(skiaMean < 0.05f, $"{name}: mean |diff| to the SkiaSharp path {skiaMean}");
            Assert.True(actual.All(v => v >= 0 && v <= 1));
            Assert.True(actual.Max() > 0.99f);
        }
    }

    [Fact]
    public void Single_scale_without_flip_equals_the_map_graph_and_shares_the_backbone_weights()
    {
        const int H = 224, W = 288;
        var head = RandomHead(20, 512, 3);
        var model = ResNet18Rewriter.Rewrite(16);
        using var backbone = new OnnxBackbone(model);
        var bytes = MultiScaleCamGraph.Build(model, head, [1.0], flip: false, H, W);
        var image = RgbImage.Load(VocDev.Jpeg(VocDev.Names(3)[2])).Resize(H, W);

        float[] actual, scores;
        using (var session = new InferenceSession(bytes))
        {
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(MultiScaleCamGraph.ImageInput, new DenseTensor<float>(image.Pixels, [1, 3, H, W]))]);
            actual = results.First(r => r.Name == MultiScaleCamGraph.CamOutput).AsTensor<float>().ToArray();
            scores = results.First(r => r.Name == MultiScaleCamGraph.ScoresOutput).AsTensor<float>().ToArray();
        }

        using var features = backbone.ExtractTensor([image]);
        var map = MapGraph.Build(head.Weights, 20, 512, normalizeFeatures: false, H, W, withScores: true, []);
        using var mapSession = new InferenceSession(map);
        var f = new DenseTensor<float>(features.data<float>().ToArray(), features.shape.Select(d => (int)d).ToArray());
        using var mapResults = mapSession.Run([NamedOnnxValue.CreateFromTensor(MapGraph.FeaturesInput, f)]);
        var expected = mapResults.First(r => r.Name == MapGraph.MapsOutput).AsTensor<float>().ToArray();
        var expectedScores = mapResults.First(r => r.Name == MapGraph.ScoresOutput).AsTensor<float>().ToArray();

        float diff = MaxAbs(actual, expected), scoreDiff = MaxAbs(scores, expectedScores);
        output.WriteLine($"single scale vs MapGraph: max |diff| {diff:E2}, scores {scoreDiff:E2}");
        Assert.True(diff < 1e-4f, $"max |diff| {diff}");
        Assert.True(scoreDiff < 1e-5f, $"score diff {scoreDiff}");

        // Four scales with flip store the backbone's weights once: the model grows by far less than a second copy.
        var four = MultiScaleCamGraph.Build(model, head, InferenceScales.ReferenceScales, flip: true, H, W);
        output.WriteLine($"model bytes: backbone {model.Bytes.Length}, one scale {bytes.Length}, four scales + flip {four.Length}");
        Assert.True(four.Length < bytes.Length * 1.05, $"{four.Length} vs {bytes.Length}");
    }

    [Fact]
    public void Build_rejects_a_head_of_another_feature_dimension_and_bad_scales()
    {
        var model = ResNet18Rewriter.Rewrite(32);
        var ex = Assert.Throws<ArgumentException>(() => MultiScaleCamGraph.Build(model, RandomHead(3, 256, 1), [1.0], true, 64, 64));
        Assert.Contains("256", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiScaleCamGraph.Build(model, RandomHead(3, 512, 1), [0.0], true, 64, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => MultiScaleCamGraph.Build(model, RandomHead(3, 512, 1), [1.0], true, 0, 64));
    }
}
