using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Xunit.Abstractions;

namespace LpCam.MLNet.Tests.Backbones;

/// <summary>The in-memory rewrite of the package's ResNet-18: structure, folded preprocessing, stride 16.</summary>
[Collection(ResNet18Collection.Name)]
public class ResNet18RewriterTests(ResNet18Fixture backbones, ITestOutputHelper output)
{
    [Fact]
    public void Rewritten_graph_has_no_pooling_and_one_shaped_feature_output()
    {
        var model = ModelProto.Parser.ParseFrom(backbones.Os32.Model.Bytes.ToArray());
        var graph = model.Graph;
        Assert.DoesNotContain(graph.Node, n => n.OpType == "AveragePool");
        var outputInfo = Assert.Single(graph.Output);
        Assert.Equal(ResNet18Rewriter.OutputName, outputInfo.Name);
        var dims = outputInfo.Type.TensorType.Shape.Dim;
        Assert.Equal(4, dims.Count);
        Assert.Equal(512, dims[1].DimValue);
        Assert.All(new[] { dims[0], dims[2], dims[3] }, d => Assert.False(string.IsNullOrEmpty(d.DimParam)));
        var input = Assert.Single(graph.Input);
        Assert.Equal(ResNet18Rewriter.InputName, input.Name);
        Assert.Equal(3, input.Type.TensorType.Shape.Dim[1].DimValue);
        Assert.Equal("Sub", graph.Node[0].OpType);
        Assert.Equal(512, backbones.Os32.FeatureDim);
        Assert.Equal(32, backbones.Os32.Stride);
        Assert.Equal("ImageRgb255", backbones.Os32.Model.InputName);
    }

    [Fact]
    public void Stride16_graph_has_stride1_last_stage_and_dilated_later_convs()
    {
        var graph = ModelProto.Parser.ParseFrom(backbones.Os16.Model.Bytes.ToArray()).Graph;
        NodeProto Node(string name) => graph.Node.Single(n => n.Name == name);
        long[] Ints(string node, string attr) => Node(node).Attribute.Single(a => a.Name == attr).Ints.ToArray();

        Assert.Equal(new long[] { 1, 1 }, Ints("Convolution349", "strides"));   // last stage, first 3x3
        Assert.Equal(new long[] { 1, 1, 1, 1 }, Ints("Convolution349", "pads"));
        Assert.Equal(new long[] { 1, 1 }, Ints("Convolution349", "dilations"));
        Assert.Equal(new long[] { 1, 1 }, Ints("Convolution359", "strides"));   // its 1x1 shortcut
        foreach (var later in new[] { "Convolution355", "Convolution367", "Convolution373", "Convolution381", "Convolution387" })
        {
            Assert.Equal(new long[] { 2, 2 }, Ints(later, "dilations"));
            Assert.Equal(new long[] { 2, 2, 2, 2 }, Ints(later, "pads"));
            Assert.Equal(new long[] { 1, 1 }, Ints(later, "strides"));
        }
        // Earlier stages are untouched.
        Assert.Equal(new long[] { 2, 2 }, Ints("Convolution317", "strides"));
        Assert.Equal(new long[] { 1, 1 }, Ints("Convolution341", "dilations"));
        Assert.Equal(16, backbones.Os16.Stride);
    }

    [Fact]
    public void Channel_means_come_from_the_preprocessing_mean_image()
    {
        float[] bgr = ResNet18Rewriter.ChannelMeansBgr();
        output.WriteLine($"channel means B,G,R = {string.Join(", ", bgr)}");
        Assert.All(bgr, m => Assert.InRange(m, 90f, 140f));
        Assert.Equal(bgr.Reverse(), backbones.Os32.Model.PadPixelRgb);
    }

    /// <summary>
    /// The folded graph must compute exactly what the original graph computes on the input the fold builds internally.
    /// The package's own preprocessing subtracts a per-pixel 224 x 224 mean image, which exists only at 224 x 224; the
    /// fold subtracts its per-channel means so that any size works. So the original ResNet18.onnx is fed
    /// "B, G, R planes minus the per-channel means" computed here in C#, and its pooled output must equal the spatial mean
    /// of the rewritten model's 7 x 7 map. The gap to the full original pipeline (mean image) is printed, not asserted tightly.
    /// </summary>
    [Fact]
    public void Folded_model_mean_feature_equals_original_pooled_output_at_224()
    {
        float[] meanBgr = ResNet18Rewriter.ChannelMeansBgr();
        using var original = new InferenceSession(PretrainedModels.ResNet18OnnxPath);
        using var preprocess = new InferenceSession(PretrainedModels.ResNetPreprocessOnnxPath);
        float worst = 0;
        double worstCosine = 1;
        foreach (var name in VocDev.Names(3))
        {
            var image = RgbImage.Load(VocDev.Jpeg(name)).Resize(224, 224);
            float[] map = backbones.Os32.Extract(image, out int h, out int w);
            Assert.Equal((7, 7), (h, w));
            float[] folded = MapAssert.SpatialMean(map, 512, h, w);

            int plane = 224 * 224;
            var bgrMinusMean = new float[3 * plane];
            for (int k = 0; k < 3; k++)
                for (int i = 0; i < plane; i++) bgrMinusMean[k * plane + i] = image.Pixels[(2 - k) * plane + i] - meanBgr[k];
            float[] pooled = RunPooled(original, bgrMinusMean);
            float diff = MapAssert.MaxAbsDiff(folded, pooled);
            worst = Math.Max(worst, diff);

            // The original two graphs in sequence (per-pixel mean image), for reference.
            using var prepped = preprocess.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", new DenseTensor<float>(image.Pixels, [1, 3, 224, 224]))]);
            float[] pipeline = RunPooled(original, prepped.Single().AsTensor<float>().ToArray());
            float pipelineDiff = MapAssert.MaxAbsDiff(folded, pipeline);
            double cosine = Cosine(folded, pipeline);
            worstCosine = Math.Min(worstCosine, cosine);
            output.WriteLine($"{name}: max |folded - original(same input)| = {diff:E2}; vs original pipeline with the mean image: " +
                $"max diff {pipelineDiff:E2}, cosine {cosine:F5} (max pooled value {pooled.Max():F3})");
        }
        Assert.True(worst <= 1e-4f, $"folded vs original pooled output differ by {worst}");
        // The mean image varies around its channel means (standard deviation 3-6 grey levels, range about 20), so pooled
        // features move by a few percent of their largest value, but the direction of the feature vector hardly changes.
        Assert.True(worstCosine >= 0.99, $"folded vs original pipeline: cosine {worstCosine}");
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }

    private static float[] RunPooled(InferenceSession original, float[] input)
    {
        using var results = original.Run([NamedOnnxValue.CreateFromTensor(ResNet18Rewriter.OriginalInputName, new DenseTensor<float>(input, [1, 3, 224, 224]))]);
        var pooled = results.Single(r => r.Name == ResNet18Rewriter.OriginalPooledOutputName).AsTensor<float>();
        Assert.Equal(new[] { 1, 512, 1, 1 }, pooled.Dimensions.ToArray());
        return pooled.ToArray();
    }
}
