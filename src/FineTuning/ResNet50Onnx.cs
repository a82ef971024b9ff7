using System.Globalization;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Onnx;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Exports a (fine-tuned) <see cref="ResNet50"/>, or any <see cref="ResNet"/> without a pixel mean, as an ONNX feature
/// extractor built from scratch (opset 13), so that inference (<see cref="OnnxBackbone"/>, CamFeaturizer's graph, ML.NET's <c>ApplyOnnxModel</c>) runs it on
/// ONNX Runtime like the project's other backbones.
/// </summary>
/// <remarks>
/// <para>Input <see cref="InputName"/>: planar RGB pixels 0..255 [batch, 3, height, width]; the ImageNet normalisation is
/// folded in as a Sub (mean * 255) and a Div (std * 255) node, so the model's <see cref="BackboneOnnxModel.Normalization"/>
/// is <see cref="PixelNormalization.Identity"/> and images are padded (bottom/right, to a multiple of
/// <see cref="PadMultiple"/>) with the ImageNet mean pixel, which is zero after normalisation.</para>
/// <para>Output <see cref="OutputName"/>: the map after layer4, [batch, <see cref="ResNet.FeatureDim"/> (2048 for the
/// ResNet-50), feature_height, feature_width], at the module's output stride (16: layer4 dilated; 32). Nodes: Conv (with
/// the module's kernels, strides, pads and dilations), BatchNormalization (epsilon <see cref="ResNet.BatchNormEpsilon"/>,
/// running statistics), Relu, MaxPool 3x3 stride 2 (pads 1, or 1 top/left only in the CNTK layout) and Add; initializers carry the state_dict names (<c>layer1.0.conv1.weight</c>, ...).</para>
/// <para>The file carries the <c>lpcam.backbone.*</c> metadata of <see cref="ResNet18Rewriter"/>, so a saved model is
/// recognised by <see cref="ResNet18Rewriter.SavedModelOptions"/>.</para>
/// </remarks>
public static class ResNet50Onnx
{
    /// <summary>Input of the exported model: planar RGB pixels 0..255, [batch, 3, height, width].</summary>
    public const string InputName = "ImageRgb255";

    /// <summary>Output of the exported model: the map after layer4, [batch, D, h, w] (D = 2048 for the ResNet-50).</summary>
    public const string OutputName = "Layer4Features";

    /// <summary>Images are padded bottom/right to a multiple of this many pixels.</summary>
    public const int PadMultiple = ResNet.PadMultiple;

    private const string StdInitializerName = "LpCamPixelStdRgb";

    /// <summary>The RGB pixel (0..255) that is zero after the ImageNet normalisation: the padding pixel.</summary>
    public static IReadOnlyList<float> PadPixelRgb => PixelNormalization.ImageNet.ZeroPixelRgb;

    /// <summary>Builds the ONNX feature extractor of <paramref name="network"/> with its current weights.</summary>
    /// <param name="network">The module, taking ImageNet-normalised input (no <see cref="ResNet.PixelMeanRgb"/>); its mode
    /// does not matter: BatchNorm is exported with its running statistics.</param>
    /// <param name="name">The model's name; default <c>{architecture}-os{stride}</c>, e.g. <c>resnet50-os16</c>.</param>
    /// <param name="head">A classifier to attach as <see cref="BackboneOnnxModel.Head"/> (not part of the graph).</param>
    /// <exception cref="ArgumentException">The network subtracts a pixel mean, or the head's feature dimension is not the
    /// network's.</exception>
    public static BackboneOnnxModel Export(ResNet network, string? name = null, ClassifierHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.PixelMeanRgb is not null)
            throw new ArgumentException("The network subtracts a pixel mean (the CNTK layout of the ONNX ResNet-18); the export folds in the " +
                "ImageNet normalisation instead. Write a ResNet-18 back into its ONNX model with OnnxWriteBack.", nameof(network));
        if (head is not null && head.FeatureDim != network.FeatureDim)
            throw new ArgumentException($"The head has D = {head.FeatureDim}; the backbone gives {network.FeatureDim}.", nameof(head));
        using var scope = NewDisposeScope();
        int stride = network.OutputStride;
        string modelName = name ?? $"{network.Architecture}-os{stride}";
        var state = network.state_dict();
        var b = new OnnxGraphBuilder(modelName);
        b.Input(InputName, "batch", 3L, "height", "width");
        b.Output(OutputName, "batch", (long)network.FeatureDim, "feature_height", "feature_width");

        var norm = PixelNormalization.ImageNet;
        string mean = b.Initializer(ResNet18Rewriter.MeanInitializerName, [1, 3, 1, 1], norm.Mean.ToArray());
        string std = b.Initializer(StdInitializerName, [1, 3, 1, 1], norm.Std.ToArray());
        string x = b.Node("Sub", [InputName, mean], "LpCamPixelsMinusMean");
        x = b.Node("Div", [x, std], "LpCamNormalizedPixels");

        var layers = network.ConvLayers();
        var layouts = layers.ToDictionary(l => l.Prefix, l => l.Layout, StringComparer.Ordinal);

        string Conv(string input, string prefix, ConvLayout layout)
        {
            string w = b.Initializer(prefix + ".weight", Shape(state[prefix + ".weight"]), Values(state[prefix + ".weight"]));
            return b.Node("Conv", [input, w], prefix + ".out",
                ("kernel_shape", new long[] { layout.Kernel, layout.Kernel }), ("strides", new long[] { layout.Stride, layout.Stride }),
                ("pads", layout.Pads.ToArray()), ("dilations", new long[] { layout.Dilation, layout.Dilation }), ("group", 1L));
        }

        string Bn(string input, string prefix)
        {
            var inputs = new[] { "weight", "bias", "running_mean", "running_var" }
                .Select(k => b.Initializer($"{prefix}.{k}", Shape(state[$"{prefix}.{k}"]), Values(state[$"{prefix}.{k}"]))).ToArray();
            return b.Node("BatchNormalization", [input, .. inputs], prefix + ".out", ("epsilon", (float)ResNet.BatchNormEpsilon));
        }

        string Relu(string input, string output) => b.Node("Relu", [input], output);

        x = Relu(Bn(Conv(x, "conv1", layouts["conv1"]), "bn1"), "relu.out");
        // ONNX pads MaxPool with -inf; the module's zero padding in the CNTK layout is the same after the ReLU.
        x = b.Node("MaxPool", [x], "maxpool.out", ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }),
            ("pads", network.Padding == ResNetPadding.Cntk ? new long[] { 1, 1, 0, 0 } : new long[] { 1, 1, 1, 1 }));
        // Blocks in order: layer1.0, layer1.1, ...; each runs conv1 .. convK (BatchNorm, ReLU but after the last), the
        // shortcut (identity or downsample), the Add and the ReLU.
        var blocks = layers.Skip(1).Select(l => l.Prefix[..l.Prefix.LastIndexOf('.')]).Distinct().ToList();
        foreach (var p in blocks)
        {
            int convs = 0;
            while (layouts.ContainsKey($"{p}.conv{convs + 1}")) convs++;
            string y = x;
            for (int i = 1; i <= convs; i++)
            {
                y = Bn(Conv(y, $"{p}.conv{i}", layouts[$"{p}.conv{i}"]), $"{p}.bn{i}");
                if (i < convs) y = Relu(y, $"{p}.relu{i}.out");
            }
            string shortcut = layouts.TryGetValue(p + ".downsample", out var projection)
                ? Bn(Conv(x, p + ".downsample.0", projection), p + ".downsample.1")
                : x;
            string sum = b.Node("Add", [y, shortcut], p + ".add.out");
            x = Relu(sum, p == blocks[^1] ? OutputName : p + ".out");
        }

        var inv = CultureInfo.InvariantCulture;
        b.Metadata("lpcam.backbone.name", modelName)
            .Metadata("lpcam.backbone.architecture", network.Architecture)
            .Metadata("lpcam.backbone.input", InputName)
            .Metadata("lpcam.backbone.output", OutputName)
            .Metadata("lpcam.backbone.feature_dim", network.FeatureDim.ToString(inv))
            .Metadata("lpcam.backbone.stride", stride.ToString(inv))
            .Metadata("lpcam.backbone.pad_multiple", PadMultiple.ToString(inv));
        if (head is not null)
            foreach (var (key, value) in BackboneHeadMetadata.Entries(head)) b.Metadata(key, value);
        return new BackboneOnnxModel(modelName, b.ToBytes(), InputName, OutputName, network.FeatureDim, stride, PadMultiple,
            PixelNormalization.Identity, PadPixelRgb, head);
    }

    private static long[] Shape(Tensor t) => t.shape;

    private static float[] Values(Tensor t) => t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
}
