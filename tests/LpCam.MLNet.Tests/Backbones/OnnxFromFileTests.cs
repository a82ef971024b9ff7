using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using Onnx;
using Google.Protobuf;
using Xunit.Abstractions;

namespace LpCam.MLNet.Tests.Backbones;

/// <summary>Any ONNX model as a backbone: the original ResNet-18 by path, and small synthetic graphs for the errors.</summary>
[Collection(ResNet18Collection.Name)]
public class OnnxFromFileTests(ResNet18Fixture backbones, ITestOutputHelper output)
{
    [Fact]
    public void Original_resnet18_by_path_matches_the_rewritten_default()
    {
        // The original takes B, G, R minus the means; the rewritten model does that inside its graph.
        var log = new List<string>();
        using var generic = Backbone.FromOnnx(PretrainedModels.ResNet18OnnxPath, new OnnxBackboneOptions("ReLU393_Output_0")
        {
            Normalization = PixelNormalization.BgrMinusMean(ResNet18Rewriter.ChannelMeansBgr()),
            Log = log.Add,
        });
        Assert.Equal(32, generic.Stride);   // inferred from the probe
        Assert.Equal(512, generic.FeatureDim);
        Assert.Equal("Input247", generic.Model.InputName);
        Assert.Contains(log, l => l.Contains("ReLU393"));
        var image = RgbImage.Load(VocDev.Jpeg(VocDev.Names(3)[2]));
        float[] expected = backbones.Os32.Extract(image, out int h, out int w);
        float[] actual = generic.Extract(image, out int hg, out int wg);
        Assert.Equal((h, w), (hg, wg));
        float diff = MapAssert.MaxAbsDiff(expected, actual);
        output.WriteLine($"{image.Height}x{image.Width} -> {h}x{w}: max |any-ONNX - default| = {diff:E2}");
        Assert.True(diff <= 1e-4f, $"any-ONNX and default backbone differ by {diff}");

        var graph = ModelProto.Parser.ParseFrom(generic.Model.Bytes.ToArray()).Graph;
        Assert.DoesNotContain(graph.Node, n => n.OpType == "AveragePool");
        Assert.Equal(512, Assert.Single(graph.Output).Type.TensorType.Shape.Dim[1].DimValue);
    }

    [Fact]
    public void Unknown_tensor_name_lists_the_available_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => Backbone.FromOnnx(PretrainedModels.ResNet18OnnxPath, "NoSuchTensor"));
        Assert.Contains("NoSuchTensor", ex.Message);
        Assert.Contains("'ReLU393_Output_0'", ex.Message);
        Assert.Contains("'Pooling395_Output_0'", ex.Message);
    }

    [Fact]
    public void Synthetic_model_feature_map_stride_and_head_are_read()
    {
        string path = SyntheticModel();
        using var backbone = Backbone.FromOnnx(path, new OnnxBackboneOptions("feat") { ClassifierWeightsName = "fc.weight" });
        Assert.Equal(4, backbone.Stride);
        Assert.Equal(3, backbone.FeatureDim);
        Assert.NotNull(backbone.Head);
        Assert.Equal((5, 3), (backbone.Head.ClassCount, backbone.Head.FeatureDim));
        Assert.Equal(Enumerable.Range(0, 15).Select(i => (float)i), backbone.Head.Weights);

        // Max pooling 4x4 of a known image; 10x6 pads to 12x8 with zeros (identity normalisation) and crops to 3x2.
        var pixels = Enumerable.Range(0, 3 * 10 * 6).Select(i => (float)i).ToArray();
        float[] map = backbone.Extract(new RgbImage(10, 6, pixels), out int h, out int w);
        Assert.Equal((3, 2), (h, w));
        Assert.Equal(3f * 6 + 3, map[0]);           // channel R, cell (0,0): max of rows 0..3, cols 0..3
        Assert.Equal(9f * 6 + 5, map[5]);           // channel R, cell (2,1): rows 8..9, cols 4..5
        Assert.Equal(60 + 3f * 6 + 3, map[6]);      // channel G, cell (0,0)
    }

    [Fact]
    public void Rank2_output_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Backbone.FromOnnx(SyntheticModel(), "flat"));
        Assert.Contains("rank 2", ex.Message);
        Assert.Contains("4-D", ex.Message);
    }

    [Fact]
    public void Non_float_output_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Backbone.FromOnnx(SyntheticModel(), "shape"));
        Assert.Contains("Int64", ex.Message);
        Assert.Contains("Float", ex.Message);
    }

    [Fact]
    public void Bad_classifier_weights_are_rejected_with_candidates()
    {
        var missing = Assert.Throws<ArgumentException>(() =>
            Backbone.FromOnnx(SyntheticModel(), new OnnxBackboneOptions("feat") { ClassifierWeightsName = "nope" }));
        Assert.Contains("'fc.weight'", missing.Message);
        var wrongD = Assert.Throws<ArgumentException>(() =>
            Backbone.FromOnnx(SyntheticModel(), new OnnxBackboneOptions("feat") { ClassifierWeightsName = "fc4.weight" }));
        Assert.Contains("4 inputs", wrongD.Message);
    }

    [Fact]
    public void Pooled_output_as_a_1x1_map_is_accepted_with_a_given_stride()
    {
        using var pooled = Backbone.FromOnnx(PretrainedModels.ResNet18OnnxPath, "Pooling395_Output_0",
            PixelNormalization.BgrMinusMean(ResNet18Rewriter.ChannelMeansBgr()), stride: 32);
        float[] map = pooled.Extract(RgbImage.Load(VocDev.Jpeg(VocDev.Names(1)[0])).Resize(224, 224), out int h, out int w);
        Assert.Equal((1, 1), (h, w));
        Assert.Equal(512, map.Length);
    }

    /// <summary>
    /// x [N,3,H,W] -> MaxPool 4x4/4 -> feat [N,3,H/4,W/4] -> GlobalAveragePool -> Flatten -> flat [N,3];
    /// Shape(x) -> shape (int64). Initializers fc.weight [5,3] and fc4.weight [5,4] are unused.
    /// </summary>
    private static string SyntheticModel() => SyntheticPath.Value;

    private static readonly Lazy<string> SyntheticPath = new(WriteSyntheticModel);

    private static string WriteSyntheticModel()
    {
        var graph = new GraphProto { Name = "synthetic" };
        graph.Input.Add(Info("x", 1, "N", 3, "H", "W"));
        graph.Node.Add(Node("MaxPool", ["x"], ["feat"], ("kernel_shape", [4, 4]), ("strides", [4, 4])));
        graph.Node.Add(Node("GlobalAveragePool", ["feat"], ["pooled"]));
        graph.Node.Add(Node("Flatten", ["pooled"], ["flat"]));
        graph.Node.Add(Node("Shape", ["x"], ["shape"]));
        graph.Output.Add(Info("flat", 1, "N", 3));
        graph.Output.Add(Info("shape", 7, 4));
        graph.Initializer.Add(Floats("fc.weight", [5, 3], Enumerable.Range(0, 15).Select(i => (float)i)));
        graph.Initializer.Add(Floats("fc4.weight", [5, 4], new float[20]));
        var model = new ModelProto { IrVersion = 7, Graph = graph, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        string path = Path.Combine(Path.GetTempPath(), $"lpcam-synthetic-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ValueInfoProto Info(string name, int elemType, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d is string s ? new TensorShapeProto.Types.Dimension { DimParam = s } : new TensorShapeProto.Types.Dimension { DimValue = (int)d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elemType, Shape = shape } } };
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, params (string Name, long[] Ints)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (name, ints) in attributes)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(ints);
            node.Attribute.Add(a);
        }
        return node;
    }

    private static TensorProto Floats(string name, long[] dims, IEnumerable<float> values)
    {
        var t = new TensorProto { Name = name, DataType = 1 };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }
}
