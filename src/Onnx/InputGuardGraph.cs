using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Makes a compiled graph refuse bad input values itself, so that the check survives <c>mlContext.Model.Save</c> and
/// <c>Model.Load</c> (after loading, the pipeline is ML.NET's plain <c>OnnxTransformer</c>, which runs only the graph).
/// CamFeaturizer guards its pixels (RGB 0..255), LocalPrototypes its features and SeedMasks its maps and classes
/// (finite values).
/// </summary>
/// <remarks>
/// Nodes inserted in front of the graph compute one flag, "some value is NaN or outside <c>min</c>..<c>max</c>"
/// (infinities are outside) from reductions (sum: NaN propagates; min and max for a range), and reshape a one-element
/// tensor to a shape of 1 + flag elements. For good values that reshape is a no-op whose zero is added to an input (the
/// guarded one, or a small one beside it), so outputs are bit-identical; for a bad value ONNX Runtime stops the run with an error that names the
/// failing node, and the node's name is the message (<see cref="PixelFailure"/>, <see cref="FiniteFailure"/>). The
/// outputs of such a row are therefore never computed from NaN, nor passed on.
/// </remarks>
internal static class InputGuardGraph
{
    /// <summary>The failing node's name (ONNX Runtime quotes it in its error) for CamFeaturizer's pixels.</summary>
    public static string PixelFailure(string column, float min, float max) =>
        $"LpCam pixel check: column '{column}' holds NaN, an infinity or a value outside {Format(min)}..{Format(max)}; expected planar RGB 0..255";

    /// <summary>The failing node's name for an input that must be finite.</summary>
    public static string FiniteFailure(string column, string what) =>
        $"LpCam input check: column '{column}' holds NaN or an infinity; expected finite {what}";

    /// <summary>Returns <paramref name="model"/> with a guard on its pixel input <paramref name="input"/>.</summary>
    public static byte[] InsertPixels(byte[] model, string input, float min, float max) =>
        Insert(model, input, PixelFailure(input, min, max), (min, max), input);

    /// <summary>
    /// Returns <paramref name="model"/> with a guard that refuses NaN and infinities in <paramref name="input"/> (one
    /// reduction: the sum, which is NaN or infinite exactly when a value is, or when finite values near float's limit
    /// overflow it). The guard's no-op zero is added to <paramref name="attachTo"/> (default: the input itself); name a small
    /// input there to spare a pass over a large one.
    /// </summary>
    public static byte[] InsertFinite(byte[] model, string input, string what, string? attachTo = null) =>
        Insert(model, input, FiniteFailure(input, what), null, attachTo ?? input);

    /// <summary>Returns <paramref name="model"/> with the guard on its input <paramref name="input"/>.</summary>
    /// <param name="model">The ONNX model.</param>
    /// <param name="input">The graph input to guard (float).</param>
    /// <param name="failureNodeName">The name of the node that fails on bad values: the message users see.</param>
    /// <param name="range">The accepted range, or null for "finite".</param>
    /// <param name="attachTo">The graph input (float) to which the guard's no-op zero is added, making the outputs depend on
    /// the guard.</param>
    public static byte[] Insert(byte[] model, string input, string failureNodeName, (float Min, float Max)? range, string attachTo)
    {
        var m = OnnxGraphEdits.Parse(model);
        var g = m.Graph;
        foreach (var name in new[] { input, attachTo })
        {
            if (!g.Input.Any(i => i.Name == name)) throw new ArgumentException($"The graph has no input '{name}'.", nameof(input));
            if (g.Output.Any(o => o.Name == name)) throw new ArgumentException($"The input '{name}' is also a graph output.", nameof(input));
        }
        string p = $"lpcam_guard_{input}_";
        string guarded = p + "checked_" + attachTo;
        foreach (var node in g.Node)
            for (int i = 0; i < node.Input.Count; i++)
                if (node.Input[i] == attachTo) node.Input[i] = guarded;

        g.Initializer.Add(OnnxGraphEdits.FloatInitializer(p + "zero", new long[] { 1 }, new[] { 0f }));
        var one = new TensorProto { Name = p + "one", DataType = OnnxGraphBuilder.Int64Type };
        one.Dims.Add(1);
        one.Int64Data.Add(1);
        g.Initializer.Add(one);

        // Reductions to scalars: a NaN anywhere makes the sum NaN, an infinity makes it infinite or NaN; the minimum and
        // maximum catch values out of range.
        var nodes = new List<NodeProto> { WithKeepDims(Node("ReduceSum", p + "sum", input)), Node("IsNaN", p + "nan", p + "sum") };
        if (range is { } r)
        {
            g.Initializer.Add(OnnxGraphEdits.FloatInitializer(p + "min", Array.Empty<long>(), new[] { r.Min }));
            g.Initializer.Add(OnnxGraphEdits.FloatInitializer(p + "max", Array.Empty<long>(), new[] { r.Max }));
            nodes.Add(WithKeepDims(Node("ReduceMin", p + "lowest", input)));
            nodes.Add(WithKeepDims(Node("ReduceMax", p + "highest", input)));
            nodes.Add(Node("Less", p + "low", p + "lowest", p + "min"));
            nodes.Add(Node("Greater", p + "high", p + "highest", p + "max"));
            nodes.Add(Node("Or", p + "out_of_range", p + "low", p + "high"));
        }
        else nodes.Add(Node("IsInf", p + "out_of_range", p + "sum"));
        nodes.Add(Node("Or", p + "bad", p + "nan", p + "out_of_range"));
        nodes.Add(Cast(p + "flag_i", p + "bad", OnnxGraphBuilder.Int64Type));
        nodes.Add(Node("Add", p + "shape", p + "one", p + "flag_i"));
        var reshape = Node("Reshape", p + "zero_checked", p + "zero", p + "shape");
        reshape.Name = failureNodeName;
        nodes.Add(reshape);
        nodes.Add(Node("Add", guarded, attachTo, p + "zero_checked"));
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
