using Google.Protobuf;
using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>Small in-memory edits of ONNX graphs (OnnxSharp protobuf classes); nothing here touches the file system.</summary>
internal static class OnnxGraphEdits
{
    /// <summary>ONNX element type code of float32.</summary>
    public const int FloatType = (int)TensorProto.Types.DataType.Float;

    /// <summary>Parses a model from bytes.</summary>
    public static ModelProto Parse(byte[] bytes) => ModelProto.Parser.ParseFrom(bytes);

    /// <summary>Serialises a model to bytes.</summary>
    public static byte[] Serialize(ModelProto model) => model.ToByteArray();

    /// <summary>Every tensor name of the graph: inputs, initializers and node outputs, in graph order.</summary>
    public static IReadOnlyList<string> TensorNames(GraphProto graph) =>
        graph.Input.Select(i => i.Name)
            .Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.Node.SelectMany(n => n.Output))
            .Where(n => n.Length > 0).Distinct().ToList();

    /// <summary>The graph inputs that are not initializers (the real inputs of an IR &lt; 4 model list both).</summary>
    public static IReadOnlyList<ValueInfoProto> RealInputs(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        return graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
    }

    /// <summary>
    /// Keeps only the nodes, initializers and inputs that <paramref name="tensor"/> depends on, and makes it the only graph
    /// output (declared by <paramref name="output"/>). Nodes keep their order. Stale intermediate value_info is dropped.
    /// </summary>
    public static void TruncateAt(GraphProto graph, string tensor, ValueInfoProto output)
    {
        var needed = new HashSet<string> { tensor };
        var keep = new List<NodeProto>();
        for (int i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            keep.Add(node);
            foreach (var input in node.Input) if (input.Length > 0) needed.Add(input);
        }
        keep.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(keep);
        var initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
        var inputs = graph.Input.Where(v => needed.Contains(v.Name)).ToList();
        graph.Input.Clear();
        graph.Input.AddRange(inputs);
        graph.ValueInfo.Clear();
        graph.Output.Clear();
        graph.Output.Add(output);
    }

    /// <summary>A tensor ValueInfo; each dim is a symbolic name (string) or a fixed size (int or long); null dims: no shape.</summary>
    public static ValueInfoProto TensorInfo(string name, int elemType, params object[]? dims)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = elemType };
        if (dims != null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (var d in dims)
                tensor.Shape.Dim.Add(d switch
                {
                    string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                    int i => new TensorShapeProto.Types.Dimension { DimValue = i },
                    long l => new TensorShapeProto.Types.Dimension { DimValue = l },
                    _ => throw new ArgumentException($"Unsupported dim {d}.", nameof(dims)),
                });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    /// <summary>The element type declared for <paramref name="tensor"/> in outputs, inputs or value_info; null if undeclared.</summary>
    public static int? DeclaredElemType(GraphProto graph, string tensor)
    {
        var info = graph.Output.Concat(graph.Input).Concat(graph.ValueInfo).FirstOrDefault(v => v.Name == tensor);
        if (info?.Type?.TensorType is { } t && t.ElemType != 0) return t.ElemType;
        var init = graph.Initializer.FirstOrDefault(i => i.Name == tensor);
        return init?.DataType;
    }

    /// <summary>Makes the batch, height and width dims (0, 2, 3) of a 4-D input symbolic.</summary>
    public static void MakeImageDimsSymbolic(ValueInfoProto input)
    {
        var shape = input.Type?.TensorType?.Shape;
        if (shape == null || shape.Dim.Count != 4) return;
        shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        shape.Dim[2] = new TensorShapeProto.Types.Dimension { DimParam = "height" };
        shape.Dim[3] = new TensorShapeProto.Types.Dimension { DimParam = "width" };
    }

    /// <summary>Sets (adding if missing) an integer-list attribute of a node.</summary>
    public static void SetInts(NodeProto node, string name, params long[] values)
    {
        var attr = node.Attribute.FirstOrDefault(a => a.Name == name);
        if (attr == null)
        {
            attr = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            node.Attribute.Add(attr);
        }
        attr.Ints.Clear();
        attr.Ints.AddRange(values);
    }

    /// <summary>The integer-list attribute of a node, or <paramref name="fallback"/> when absent.</summary>
    public static long[] GetInts(NodeProto node, string name, params long[] fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.Ints.ToArray() : fallback;

    /// <summary>Reads a float initializer (float_data or little-endian raw_data).</summary>
    /// <exception cref="InvalidDataException">The tensor is not float32.</exception>
    public static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.DataType != FloatType)
            throw new InvalidDataException($"Initializer '{tensor.Name}' has ONNX element type {(TensorProto.Types.DataType)tensor.DataType}, expected Float.");
        if (tensor.FloatData.Count > 0) return tensor.FloatData.ToArray();
        var raw = tensor.RawData.Span;
        var values = new float[raw.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(raw.Slice(4 * i, 4));
        return values;
    }

    /// <summary>Replaces the values of a float initializer, keeping its dims; written as float_data.</summary>
    public static void WriteFloats(TensorProto tensor, float[] values)
    {
        tensor.RawData = ByteString.Empty;
        tensor.FloatData.Clear();
        tensor.FloatData.AddRange(values);
    }

    /// <summary>A float initializer.</summary>
    public static TensorProto FloatInitializer(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = FloatType };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        return t;
    }

    /// <summary>The model's metadata by key; a repeated key keeps its last value.</summary>
    public static Dictionary<string, string> Metadata(ModelProto model)
    {
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in model.MetadataProps) props[p.Key] = p.Value;
        return props;
    }

    /// <summary>Adds or replaces a metadata_props entry.</summary>
    public static void SetMetadata(ModelProto model, string key, string value)
    {
        var existing = model.MetadataProps.FirstOrDefault(p => p.Key == key);
        if (existing != null) existing.Value = value;
        else model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
    }
}
