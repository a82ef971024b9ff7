using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Joins a backbone graph and a graph compiled by this library into one ONNX model, so that one ML.NET OnnxTransformer
/// runs, saves and reloads both: the backbone's feature output feeds the compiled graph's feature input.
/// </summary>
internal static class OnnxComposer
{
    /// <summary>Ops whose opset-8 form means the same at opset 13 (BatchNormalization once its <c>spatial = 1</c> is dropped).</summary>
    private static readonly HashSet<string> Opset13Compatible = new(StringComparer.Ordinal)
    {
        "Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "Sub", "Mul", "Div", "Identity", "Concat", "Sum", "AveragePool",
        "GlobalAveragePool", "GlobalMaxPool", "Transpose", "Gemm", "MatMul", "Sigmoid", "Softmax", "Constant", "Clip",
    };

    /// <summary>
    /// Returns one model: <paramref name="backbone"/> (its only image input renamed to <paramref name="inputName"/>), then
    /// <paramref name="tail"/>, whose input named <paramref name="featureTensor"/> is the backbone's output of that name.
    /// The outputs are the tail's outputs plus, if <paramref name="featuresOutput"/> is set, the feature map under that name.
    /// </summary>
    public static byte[] Compose(byte[] backbone, string backboneInput, string featureTensor, byte[] tail, string inputName,
        string? featuresOutput, IEnumerable<KeyValuePair<string, string>> metadata, Backbones.PixelNormalization? normalization = null)
    {
        var model = OnnxGraphEdits.Parse(backbone);
        var tailModel = OnnxGraphEdits.Parse(tail);
        UpgradeToOpset13(model);
        var graph = model.Graph;

        // Inputs: the image input only (IR < 4 models also list every initializer as an input).
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var image = graph.Input.Single(i => i.Name == backboneInput);
        graph.Input.Clear();
        bool normalize = normalization is not null && !IsIdentity(normalization);
        if (inputName != backboneInput || normalize)
        {
            var renamed = image.Clone();
            renamed.Name = inputName;
            graph.Input.Add(renamed);
            var prefix = normalize ? NormalizationNodes(graph, inputName, backboneInput, normalization!).ToList() : new List<NodeProto> { Identity(inputName, backboneInput) };
            for (int i = 0; i < prefix.Count; i++) graph.Node.Insert(i, prefix[i]);
        }
        else graph.Input.Add(image);

        var features = graph.Output.Single(o => o.Name == featureTensor);
        graph.Output.Clear();
        if (tailModel.Graph.Input.Single().Name != featureTensor)
            throw new ArgumentException($"The compiled graph's input is '{tailModel.Graph.Input.Single().Name}'; expected the feature tensor '{featureTensor}'.");
        foreach (var name in tailModel.Graph.Initializer.Select(t => t.Name).Concat(tailModel.Graph.Node.SelectMany(n => n.Output)))
            if (initializers.Contains(name) || graph.Node.Any(n => n.Output.Contains(name)))
                throw new ArgumentException($"Tensor name '{name}' of the compiled graph is also used by the backbone.");
        graph.Node.AddRange(tailModel.Graph.Node);
        graph.Initializer.AddRange(tailModel.Graph.Initializer);
        if (featuresOutput is not null)
        {
            graph.Node.Add(Identity(featureTensor, featuresOutput));
            var output = features.Clone();
            output.Name = featuresOutput;
            graph.Output.Add(output);
        }
        graph.Output.AddRange(tailModel.Graph.Output);
        foreach (var kv in metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = kv.Key, Value = kv.Value });
        return OnnxGraphEdits.Serialize(model);
    }

    /// <summary>Gives the named graph inputs and outputs fixed dimensions (ML.NET then makes known-size vector columns).</summary>
    public static byte[] FixShapes(byte[] model, IReadOnlyDictionary<string, long[]> shapes)
    {
        var m = OnnxGraphEdits.Parse(model);
        foreach (var value in m.Graph.Input.Concat(m.Graph.Output))
        {
            if (!shapes.TryGetValue(value.Name, out var dims)) continue;
            var shape = new TensorShapeProto();
            foreach (long d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
            value.Type.TensorType.Shape = shape;
        }
        return OnnxGraphEdits.Serialize(m);
    }

    private static bool IsIdentity(Backbones.PixelNormalization n) =>
        !n.Bgr && n.Mean.All(v => v == 0) && n.Std.All(v => v == 1);

    /// <summary>input channel k = (pixel[source channel of k] - mean[k]) / std[k], as ONNX nodes.</summary>
    private static IEnumerable<NodeProto> NormalizationNodes(GraphProto graph, string input, string output, Backbones.PixelNormalization n)
    {
        var order = new TensorProto { Name = "lpcam_norm_order", DataType = OnnxGraphBuilder.Int64Type };
        order.Dims.Add(3);
        order.Int64Data.AddRange(Enumerable.Range(0, 3).Select(k => (long)n.SourceChannel(k)));
        var mean = new TensorProto { Name = "lpcam_norm_mean", DataType = OnnxGraphBuilder.FloatType };
        mean.Dims.AddRange(new long[] { 1, 3, 1, 1 });
        mean.FloatData.AddRange(n.Mean);
        var std = new TensorProto { Name = "lpcam_norm_std", DataType = OnnxGraphBuilder.FloatType };
        std.Dims.AddRange(new long[] { 1, 3, 1, 1 });
        std.FloatData.AddRange(n.Std);
        graph.Initializer.Add(order);
        graph.Initializer.Add(mean);
        graph.Initializer.Add(std);
        NodeProto Node(string op, string output, params string[] inputs)
        {
            var node = new NodeProto { OpType = op, Name = $"lpcam_{output}" };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            return node;
        }
        var gather = Node("Gather", "lpcam_norm_ordered", input, order.Name);
        gather.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        return new[] { gather, Node("Sub", "lpcam_norm_centred", gather.Output[0], mean.Name), Node("Div", output, "lpcam_norm_centred", std.Name) };
    }

    /// <summary>Moves an opset 7..13 graph of plain CNN ops to opset 13 and IR version 7.</summary>
    /// <exception cref="NotSupportedException">An op whose meaning changed, or an opset above 13.</exception>
    public static void UpgradeToOpset13(ModelProto model)
    {
        var domain = model.OpsetImport.SingleOrDefault(o => o.Domain is "" or "ai.onnx");
        long version = domain?.Version ?? 1;
        if (version > OnnxGraphBuilder.Opset)
            throw new NotSupportedException($"The backbone uses opset {version}; this library composes graphs at opset {OnnxGraphBuilder.Opset}.");
        if (version < OnnxGraphBuilder.Opset)
        {
            foreach (var node in model.Graph.Node)
            {
                if (!Opset13Compatible.Contains(node.OpType))
                    throw new NotSupportedException($"Node '{node.Name}' is a {node.OpType}, whose meaning at opset {version} is not known to carry over to opset {OnnxGraphBuilder.Opset}.");
                if (node.OpType == "BatchNormalization")
                {
                    var spatial = node.Attribute.FirstOrDefault(a => a.Name == "spatial");
                    if (spatial is not null)
                    {
                        if (spatial.I != 1) throw new NotSupportedException($"Node '{node.Name}' is a BatchNormalization with spatial = {spatial.I}; only spatial = 1 exists at opset 9 and later.");
                        node.Attribute.Remove(spatial);
                    }
                }
            }
            model.OpsetImport.Clear();
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxGraphBuilder.Opset });
        }
        if (model.IrVersion < 7) model.IrVersion = 7;
    }

    private static NodeProto Identity(string input, string output)
    {
        var node = new NodeProto { OpType = "Identity", Name = $"lpcam_identity_{output}" };
        node.Input.Add(input);
        node.Output.Add(output);
        return node;
    }
}
