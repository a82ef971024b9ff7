using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Makes a compiled graph refuse bad pixels itself, so that the check survives <c>mlContext.Model.Save</c> and
/// <c>Model.Load</c> (after loading, the pipeline is ML.NET's plain <c>OnnxTransformer</c>, which runs only the graph).
/// </summary>
/// <remarks>
/// Nodes inserted in front of every consumer of the pixel input compute one flag, "some pixel is NaN or outside
/// <c>min</c>..<c>max</c>" (infinities are outside), from three reductions (sum: NaN propagates; min; max), and reshape a one-element tensor to a shape of 1 + flag elements.
/// For good pixels that reshape is a no-op whose zero is added to the pixels, so outputs are bit-identical; for a bad
/// pixel ONNX Runtime stops the run with an error that names the failing node, and the node's name is the message:
/// <see cref="FailureNodeName"/>. The row's outputs are therefore never computed from NaN, nor passed on.
/// </remarks>
internal static class PixelGuardGraph
{
    /// <summary>The name of the node that fails on bad pixels (ONNX Runtime quotes it in its error).</summary>
    public static string FailureNodeName(string column, float min, float max) =>
        $"LpCam pixel check: column '{column}' holds NaN, an infinity or a value outside {Format(min)}..{Format(max)}; expected planar RGB 0..255";

    /// <summary>Returns <paramref name="model"/> with the guard on its input <paramref name="input"/>.</summary>
    public static byte[] Insert(byte[] model, string input, string column, float min, float max)
    {
        var m = OnnxGraphEdits.Parse(model);
        var g = m.Graph;
        if (!g.Input.Any(i => i.Name == input)) throw new ArgumentException($"The graph has no input '{input}'.", nameof(input));
        const string p = "lpcam_pixel_guard_";
        string checkedPixels = p + "checked";
        foreach (var node in g.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == input) node.Input[i] = checkedPixels;
        foreach (var output in g.Output.Where(o => o.Name == input).ToList())
            throw new ArgumentException($"The pixel input '{input}' is also a graph output.", nameof(input));

        g.Initializer.Add(OnnxGraphEdits.FloatInitializer(p + "min", Array.Empty<long>(), new[] { min }));
        g.Initializer.Add(OnnxGraphEdits.FloatInitializer(p + "max", Array.Empty<long>(), new[] { max }));
        g.Initializer.Add(OnnxGraphEdits.FloatInitializer(p + "zero", new long[] { 1 }, new[] { 0f }));
        var one = new TensorProto { Name = p + "one", DataType = OnnxGraphBuilder.Int64Type };
        one.Dims.Add(1);
        one.Int64Data.Add(1);
        g.Initializer.Add(one);

        // Three reductions to scalars: a NaN anywhere makes the sum NaN (an infinity makes it infinite or NaN, and is out of
        // range anyway); the minimum and maximum catch values out of range.
        var nodes = new List<NodeProto>
        {
            WithKeepDims(Node("ReduceSum", p + "sum", input)),
            WithKeepDims(Node("ReduceMin", p + "lowest", input)),
            WithKeepDims(Node("ReduceMax", p + "highest", input)),
            Node("IsNaN", p + "nan", p + "sum"),
            Node("Less", p + "low", p + "lowest", p + "min"),
            Node("Greater", p + "high", p + "highest", p + "max"),
            Node("Or", p + "nan_or_low", p + "nan", p + "low"),
            Node("Or", p + "bad", p + "nan_or_low", p + "high"),
            Cast(p + "flag_i", p + "bad", OnnxGraphBuilder.Int64Type),
            Node("Add", p + "shape", p + "one", p + "flag_i"),
        };
        var reshape = Node("Reshape", p + "zero_checked", p + "zero", p + "shape");
        reshape.Name = FailureNodeName(column, min, max);
        nodes.Add(reshape);
        nodes.Add(Node("Add", checkedPixels, input, p + "zero_checked"));
        for (int i = 0; i < nodes.Count; i++) g.Node.Insert(i, nodes[i]);
        return OnnxGraphEdits.Serialize(m);
    }

    private static NodeProto Node(string op, string output, params string[] inputs)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static NodeProto Cast(string output, string input, int to)
    {
        var node = Node("Cast", output, input);
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = to });
        return node;
    }

    private static NodeProto WithKeepDims(NodeProto node)
    {
        node.Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
        return node;
    }

    private static string Format(float v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
