using System.Globalization;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Onnx;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Exports a (fine-tuned) <see cref="ResNet50"/> as an ONNX feature extractor built from scratch (opset 13), so that
/// inference (<see cref="OnnxBackbone"/>, <see cref="MultiScaleCamGraph"/>, ML.NET's <c>ApplyOnnxModel</c>) runs it on
/// ONNX Runtime like the project's other backbones.
/// </summary>
/// <remarks>
/// <para>Input <see cref="InputName"/>: planar RGB pixels 0..255 [batch, 3, height, width]; the ImageNet normalisation is
/// folded in as a Sub (mean * 255) and a Div (std * 255) node, so the model's <see cref="BackboneOnnxModel.Normalization"/>
/// is <see cref="PixelNormalization.Identity"/> and images are padded (bottom/right, to a multiple of
/// <see cref="PadMultiple"/>) with the ImageNet mean pixel, which is zero after normalisation.</para>
/// <para>Output <see cref="OutputName"/>: the map after layer4, [batch, 2048, feature_height, feature_width], at the
/// module's output stride (16: layer4 dilated; 32). Nodes: Conv (with the module's strides, pads and dilations),
/// BatchNormalization (epsilon <see cref="ResNet50.BatchNormEpsilon"/>, running statistics), Relu, MaxPool 3x3 stride 2
/// pads 1 and Add; initializers carry the state_dict names (<c>layer1.0.conv1.weight</c>, ...).</para>
/// <para>The file carries the <c>lpcam.backbone.*</c> metadata of <see cref="ResNet18Rewriter"/>, so a saved model is
/// recognised by <see cref="ResNet18Rewriter.SavedModelOptions"/>.</para>
/// </remarks>
public static class ResNet50Onnx
{
    /// <summary>Input of the exported model: planar RGB pixels 0..255, [batch, 3, height, width].</summary>
    public const string InputName = "ImageRgb255";

    /// <summary>Output of the exported model: the 2048-channel map after layer4, [batch, 2048, h, w].</summary>
    public const string OutputName = "Layer4Features";

    /// <summary>Images are padded bottom/right to a multiple of this many pixels.</summary>
    public const int PadMultiple = 32;

    private const string StdInitializerName = "LpCamPixelStdRgb";

    /// <summary>The RGB pixel (0..255) that is zero after the ImageNet normalisation: the padding pixel.</summary>
    public static IReadOnlyList<float> PadPixelRgb => PixelNormalization.ImageNet.ZeroPixelRgb;

    /// <summary>Builds the ONNX feature extractor of <paramref name="network"/> with its current weights.</summary>
    /// <param name="network">The module (its mode does not matter: BatchNorm is exported with its running statistics).</param>
    /// <param name="name">The model's name; default <c>resnet50-os{stride}</c>.</param>
    /// <param name="head">A classifier to attach as <see cref="BackboneOnnxModel.Head"/> (not part of the graph).</param>
    /// <exception cref="ArgumentException">The head's feature dimension is not 2048.</exception>
    public static BackboneOnnxModel Export(ResNet50 network, string? name = null, ClassifierHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (head is not null && head.FeatureDim != network.FeatureDim)
            throw new ArgumentException($"The head has D = {head.FeatureDim}; the backbone gives {network.FeatureDim}.", nameof(head));
        using var scope = NewDisposeScope();
        int stride = network.OutputStride;
        string modelName = name ?? $"resnet50-os{stride}";
        var state = network.state_dict();
        var b = new OnnxGraphBuilder(modelName);
        b.Input(InputName, "batch", 3L, "height", "width");
        b.Output(OutputName, "batch", (long)network.FeatureDim, "feature_height", "feature_width");

        var norm = PixelNormalization.ImageNet;
        string mean = b.Initializer(ResNet18Rewriter.MeanInitializerName, [1, 3, 1, 1], norm.Mean.ToArray());
        string std = b.Initializer(StdInitializerName, [1, 3, 1, 1], norm.Std.ToArray());
        string x = b.Node("Sub", [InputName, mean], "LpCamPixelsMinusMean");
        x = b.Node("Div", [x, std], "LpCamNormalizedPixels");

        string Conv(string input, string prefix, int kernel, int s, int pad, int dilation)
        {
            string w = b.Initializer(prefix + ".weight", Shape(state[prefix + ".weight"]), Values(state[prefix + ".weight"]));
            return b.Node("Conv", [input, w], prefix + ".out",
                ("kernel_shape", new long[] { kernel, kernel }), ("strides", new long[] { s, s }),
                ("pads", new long[] { pad, pad, pad, pad }), ("dilations", new long[] { dilation, dilation }), ("group", 1L));
        }

        string Bn(string input, string prefix)
        {
            var inputs = new[] { "weight", "bias", "running_mean", "running_var" }
                .Select(k => b.Initializer($"{prefix}.{k}", Shape(state[$"{prefix}.{k}"]), Values(state[$"{prefix}.{k}"]))).ToArray();
            return b.Node("BatchNormalization", [input, .. inputs], prefix + ".out", ("epsilon", (float)ResNet50.BatchNormEpsilon));
        }

        string Relu(string input, string output) => b.Node("Relu", [input], output);

        x = Relu(Bn(Conv(x, "conv1", 7, 2, 3, 1), "bn1"), "relu.out");
        x = b.Node("MaxPool", [x], "maxpool.out",
            ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 1, 1 }));
        for (int stage = 0; stage < 4; stage++)
        {
            bool dilated = stride == 16 && stage == 3;
            int stageStride = stage == 0 || dilated ? 1 : 2;
            for (int block = 0; block < ResNet50.BlocksPerStage[stage]; block++)
            {
                string p = $"layer{stage + 1}.{block}";
                int s = block == 0 ? stageStride : 1;
                int dilation = dilated && block > 0 ? 2 : 1;
                string y = Relu(Bn(Conv(x, p + ".conv1", 1, 1, 0, 1), p + ".bn1"), p + ".relu1.out");
                y = Relu(Bn(Conv(y, p + ".conv2", 3, s, dilation, dilation), p + ".bn2"), p + ".relu2.out");
                y = Bn(Conv(y, p + ".conv3", 1, 1, 0, 1), p + ".bn3");
                string shortcut = state.ContainsKey(p + ".downsample.0.weight")
                    ? Bn(Conv(x, p + ".downsample.0", 1, s, 0, 1), p + ".downsample.1")
                    : x;
                string sum = b.Node("Add", [y, shortcut], p + ".add.out");
                bool last = stage == 3 && block == ResNet50.BlocksPerStage[3] - 1;
                x = Relu(sum, last ? OutputName : p + ".out");
            }
        }

        var inv = CultureInfo.InvariantCulture;
        b.Metadata("lpcam.backbone.name", modelName)
            .Metadata("lpcam.backbone.architecture", "resnet50")
            .Metadata("lpcam.backbone.input", InputName)
            .Metadata("lpcam.backbone.output", OutputName)
            .Metadata("lpcam.backbone.feature_dim", network.FeatureDim.ToString(inv))
            .Metadata("lpcam.backbone.stride", stride.ToString(inv))
            .Metadata("lpcam.backbone.pad_multiple", PadMultiple.ToString(inv));
        return new BackboneOnnxModel(modelName, b.ToBytes(), InputName, OutputName, network.FeatureDim, stride, PadMultiple,
            PixelNormalization.Identity, PadPixelRgb, head);
    }

    private static long[] Shape(Tensor t) => t.shape;

    private static float[] Values(Tensor t) => t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
}
