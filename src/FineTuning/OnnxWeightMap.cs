using LpCam.MLNet.Onnx;
using Onnx;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Matches the Conv and BatchNormalization nodes of the rewritten CNTK ResNet-18 graph to the tensors of
/// <see cref="ResNet18"/>'s <see cref="ResNet"/> (torchvision names), by walking the graph from the stem: stem Conv -> BN -> ReLU -> MaxPool,
/// then per residual block the 3x3 Conv (and the 1x1 shortcut Conv) reading the block input, each followed by its BN,
/// the second 3x3 Conv, the Add and the ReLU. Each Conv's kernel, strides, dilations and pads, and each BN's epsilon,
/// are checked against the module's layout, so a match is exact or an error.
/// </summary>
internal sealed class OnnxWeightMap
{
    private OnnxWeightMap(IReadOnlyList<(string Tensor, string Initializer)> entries, float[] pixelMeanRgb)
    {
        Entries = entries;
        PixelMeanRgb = pixelMeanRgb;
    }

    /// <summary>Module tensor name (e.g. <c>layer2.0.bn1.running_var</c>) and the ONNX initializer holding it.</summary>
    public IReadOnlyList<(string Tensor, string Initializer)> Entries { get; }

    /// <summary>The per-channel means (RGB) subtracted by the graph's Sub node before the stem.</summary>
    public float[] PixelMeanRgb { get; }

    /// <exception cref="InvalidDataException">The graph is not the rewritten ResNet-18 with this output stride.</exception>
    public static OnnxWeightMap Build(GraphProto graph, int outputStride)
    {
        var layers = ResNet18.ConvLayers(outputStride).ToDictionary(l => l.Prefix, l => l.Layout, StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
            foreach (var input in node.Input)
            {
                if (!consumers.TryGetValue(input, out var list)) consumers[input] = list = new List<NodeProto>();
                list.Add(node);
            }
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var entries = new List<(string, string)>();

        NodeProto Only(string tensor, string op)
        {
            var next = consumers.GetValueOrDefault(tensor)?.Where(n => n.OpType == op).ToList();
            return next is { Count: 1 } ? next[0]
                : throw new InvalidDataException($"Expected tensor '{tensor}' to feed exactly one {op} node; found {next?.Count ?? 0}.");
        }

        string ConvBn(NodeProto conv, string convName, string bnName, string? layoutKey = null)
        {
            var layout = layers[layoutKey ?? convName];
            long[] kernel = OnnxGraphEdits.GetInts(conv, "kernel_shape");
            long[] strides = OnnxGraphEdits.GetInts(conv, "strides", 1, 1);
            long[] dilations = OnnxGraphEdits.GetInts(conv, "dilations", 1, 1);
            long[] pads = OnnxGraphEdits.GetInts(conv, "pads", 0, 0, 0, 0);
            if (conv.Input.Count != 2 || kernel.Any(k => k != layout.Kernel) || strides.Any(s => s != layout.Stride)
                || dilations.Any(d => d != layout.Dilation) || !pads.SequenceEqual(layout.Pads))
                throw new InvalidDataException(
                    $"Conv node '{conv.Name}' (kernel {string.Join("x", kernel)}, strides {string.Join("/", strides)}, dilations {string.Join("/", dilations)}, " +
                    $"pads {string.Join("/", pads)}, {conv.Input.Count} inputs) does not match '{convName}' of the stride-{outputStride} ResNet-18 " +
                    $"(kernel {layout.Kernel}, stride {layout.Stride}, dilation {layout.Dilation}, pads {string.Join("/", layout.Pads)}, no bias).");
            Add($"{convName}.weight", conv.Input[1]);
            var bn = Only(conv.Output[0], "BatchNormalization");
            var eps = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            if (Math.Abs(eps - ResNet.BatchNormEpsilon) > 1e-9)
                throw new InvalidDataException($"BatchNormalization node '{bn.Name}' has epsilon {eps}; the module uses {ResNet.BatchNormEpsilon}.");
            Add($"{bnName}.weight", bn.Input[1]);
            Add($"{bnName}.bias", bn.Input[2]);
            Add($"{bnName}.running_mean", bn.Input[3]);
            Add($"{bnName}.running_var", bn.Input[4]);
            return bn.Output[0];
        }

        void Add(string tensor, string initializer)
        {
            if (!initializers.ContainsKey(initializer))
                throw new InvalidDataException($"'{initializer}' (for '{tensor}') is not an initializer of the graph.");
            if (entries.Any(e => e.Item2 == initializer))
                throw new InvalidDataException($"Initializer '{initializer}' is shared by two layers; it cannot be mapped to one module tensor.");
            entries.Add((tensor, initializer));
        }

        var stem = graph.Node.FirstOrDefault(n => n.OpType == "Conv")
            ?? throw new InvalidDataException("The graph has no Conv node.");
        var sub = graph.Node.FirstOrDefault(n => n.OpType == "Sub" && n.Output.Contains(stem.Input[0]))
            ?? throw new InvalidDataException("The stem convolution is not fed by the mean-subtraction Sub node of the rewritten graph.");
        var mean = initializers.GetValueOrDefault(sub.Input[1]) is { } m ? OnnxGraphEdits.ReadFloats(m) : null;
        if (mean is not { Length: 3 })
            throw new InvalidDataException($"The mean-subtraction node '{sub.Name}' does not subtract a 3-value initializer.");

        var x = ConvBn(stem, "conv1", "bn1");
        x = Only(Only(x, "Relu").Output[0], "MaxPool").Output[0];
        for (int stage = 1; stage <= 4; stage++)
            for (int b = 0; b < ResNet18.BlocksPerStage[stage - 1]; b++)
            {
                string p = $"layer{stage}.{b}";
                var convs = consumers.GetValueOrDefault(x)?.Where(n => n.OpType == "Conv").ToList() ?? new List<NodeProto>();
                var main = convs.Where(n => OnnxGraphEdits.GetInts(n, "kernel_shape").All(k => k == 3)).ToList();
                var projection = convs.Where(n => OnnxGraphEdits.GetInts(n, "kernel_shape").All(k => k == 1)).ToList();
                bool wantsProjection = layers.ContainsKey($"{p}.downsample");
                if (main.Count != 1 || projection.Count != (wantsProjection ? 1 : 0))
                    throw new InvalidDataException($"Block '{p}': tensor '{x}' feeds {main.Count} 3x3 and {projection.Count} 1x1 convolutions; expected 1 and {(wantsProjection ? 1 : 0)}.");
                var y = ConvBn(main[0], $"{p}.conv1", $"{p}.bn1");
                y = Only(y, "Relu").Output[0];
                y = ConvBn(Only(y, "Conv"), $"{p}.conv2", $"{p}.bn2");
                string shortcut = wantsProjection ? ConvBn(projection[0], $"{p}.downsample.0", $"{p}.downsample.1", $"{p}.downsample") : x;
                var add = Only(y, "Add");
                if (!add.Input.Contains(shortcut))
                    throw new InvalidDataException($"Block '{p}': the residual Add '{add.Name}' does not read the shortcut '{shortcut}'.");
                x = Only(add.Output[0], "Relu").Output[0];
            }
        if (graph.Output.Count != 1 || graph.Output[0].Name != x)
            throw new InvalidDataException($"The last block ends at '{x}', which is not the graph's only output.");

        return new OnnxWeightMap(entries, mean);
    }
}
