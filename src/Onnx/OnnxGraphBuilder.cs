using Google.Protobuf;
using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// A small builder of ONNX graphs (opset 13, float tensors) over OnnxSharp's protobuf classes: what the fitted components
/// compile their learned state into, so that ML.NET's own OnnxTransformer runs, saves and reloads them.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    public const int Opset = 13;
    public const int FloatType = (int)TensorProto.Types.DataType.Float;
    public const int Int64Type = (int)TensorProto.Types.DataType.Int64;
    public const int UInt8Type = (int)TensorProto.Types.DataType.Uint8;
    public const int DoubleType = (int)TensorProto.Types.DataType.Double;
    private readonly ModelProto _model;
    private readonly string _nodePrefix;
    private int _nodeCount;
    private readonly HashSet<string> _initializers = new(StringComparer.Ordinal);

    /// <summary>The model being built, for edits the helpers below do not cover (metadata, copied initializers).</summary>
    public ModelProto Model => _model;

    /// <summary>Starts an empty graph; <paramref name="nodePrefix"/> prefixes the generated node names.</summary>
    public OnnxGraphBuilder(string graphName, string nodePrefix = "")
    {
        _nodePrefix = nodePrefix;
        _model = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "LpCam.MLNet",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = new GraphProto { Name = graphName },
        };
        _model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
    }

    /// <summary>Declares a float graph input; a dim is a <c>long</c> (fixed) or a <c>string</c> (symbolic).</summary>
    public OnnxGraphBuilder Input(string name, params object[] dims) => Input(name, FloatType, dims);

    /// <summary>Declares a graph input of element type <paramref name="elemType"/> (a TensorProto data type).</summary>
    public OnnxGraphBuilder Input(string name, int elemType, params object[] dims)
    {
        _model.Graph.Input.Add(ValueInfo(name, elemType, dims));
        return this;
    }

    /// <summary>Declares a float graph output; ML.NET needs every output to carry a shape.</summary>
    public OnnxGraphBuilder Output(string name, params object[] dims) => Output(name, FloatType, dims);

    /// <summary>Declares a graph output of element type <paramref name="elemType"/> (a TensorProto data type).</summary>
    public OnnxGraphBuilder Output(string name, int elemType, params object[] dims)
    {
        _model.Graph.Output.Add(ValueInfo(name, elemType, dims));
        return this;
    }

    /// <summary>Adds a float initializer; returns its name.</summary>
    public string Initializer(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = FloatType };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        Add(t);
        return name;
    }

    /// <summary>Adds an int64 initializer; returns its name.</summary>
    public string Initializer(string name, long[] dims, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = Int64Type };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(values);
        Add(t);
        return name;
    }

    /// <summary>Adds a double initializer; returns its name.</summary>
    public string Initializer(string name, long[] dims, double[] values)
    {
        var t = new TensorProto { Name = name, DataType = DoubleType };
        t.Dims.AddRange(dims);
        t.DoubleData.AddRange(values);
        Add(t);
        return name;
    }

    private void Add(TensorProto t)
    {
        // Two initializers of one name make ONNX Runtime keep the last and warn: a naming slip in a graph builder.
        if (!_initializers.Add(t.Name)) throw new InvalidOperationException($"The graph already has an initializer named '{t.Name}'.");
        _model.Graph.Initializer.Add(t);
    }

    /// <summary>A one-element int64 constant [1] named <paramref name="name"/>.</summary>
    public string Int(string name, long value) => Initializer(name, [1], [value]);

    /// <summary>Concatenates 1-D int64 tensors (constants and computed sizes) into a shape or index vector.</summary>
    public string Vector(string output, params string[] parts) => Node("Concat", parts, output, ("axis", 0L));

    /// <summary>Adds a node; attributes are <c>long</c>, <c>float</c>, <c>string</c> or <c>long[]</c>. Returns the output name.</summary>
    public string Node(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{_nodePrefix}{opType}_{_nodeCount++}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        _model.Graph.Node.Add(node);
        return output;
    }

    /// <summary>Mirrors a 4-D tensor left to right: Slice from the last column backwards with step -1.</summary>
    public string FlipWidth(string x, string output) =>
        Node("Slice", [x, Initializer(output + "_start", [1], new long[] { -1 }), Initializer(output + "_end", [1], new long[] { long.MinValue }),
            Initializer(output + "_axes", [1], new long[] { 3 }), Initializer(output + "_steps", [1], new long[] { -1 })], output);

    /// <summary>
    /// Appends a copy of <paramref name="source"/>'s nodes reading <paramref name="input"/> instead of its input
    /// <paramref name="sourceInput"/>; intermediate tensors get <paramref name="prefix"/>, initializers keep their names (so
    /// copies share them). Returns the renamed <paramref name="sourceOutput"/>.
    /// </summary>
    /// <param name="source">The graph whose nodes are copied (for example a backbone).</param>
    /// <param name="sourceInput">The input of <paramref name="source"/> that <paramref name="input"/> replaces.</param>
    /// <param name="input">The tensor of this graph the copy reads.</param>
    /// <param name="sourceOutput">The tensor of <paramref name="source"/> whose new name is returned.</param>
    /// <param name="prefix">Prefix of the copied nodes and intermediate tensors.</param>
    /// <param name="used">Tensor names already taken; the copy's names are added, and a clash throws.</param>
    public string CopyGraph(GraphProto source, string sourceInput, string input, string sourceOutput, string prefix, HashSet<string> used)
    {
        var initializers = source.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var rename = new Dictionary<string, string>(StringComparer.Ordinal) { [sourceInput] = input };
        foreach (var original in source.Node)
        {
            var node = original.Clone();
            node.Name = prefix + original.Name;
            for (int k = 0; k < node.Input.Count; k++)
            {
                string name = node.Input[k];
                if (name.Length == 0 || initializers.Contains(name)) continue;
                node.Input[k] = rename.TryGetValue(name, out var renamed)
                    ? renamed
                    : throw new InvalidDataException($"Node '{original.Name}' reads '{name}', which is neither an earlier output nor an initializer.");
            }
            for (int k = 0; k < node.Output.Count; k++)
            {
                string name = node.Output[k];
                if (name.Length == 0) continue;
                string renamed = prefix + name;
                if (!used.Add(renamed)) throw new InvalidDataException($"Tensor name '{renamed}' is used twice.");
                rename[name] = renamed;
                node.Output[k] = renamed;
            }
            _model.Graph.Node.Add(node);
        }
        return rename.TryGetValue(sourceOutput, out var result)
            ? result
            : throw new InvalidDataException($"The graph has no tensor '{sourceOutput}'.");
    }

    /// <summary>Adds a metadata entry (model-level <c>metadata_props</c>).</summary>
    public OnnxGraphBuilder Metadata(string key, string value)
    {
        _model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    /// <summary>The serialised model.</summary>
    public byte[] ToBytes() => _model.ToByteArray();

    private static ValueInfoProto ValueInfo(string name, int elemType, object[] dims) => OnnxGraphEdits.TensorInfo(name, elemType, dims);

    private static AttributeProto Attribute(string name, object value) => value switch
    {
        long l => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = l },
        int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
        float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
        string s => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(s) },
        long[] ls => WithInts(new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints }, ls),
        _ => throw new ArgumentException($"Attribute '{name}' has unsupported type {value.GetType().Name}."),
    };

    private static AttributeProto WithInts(AttributeProto a, long[] values)
    {
        a.Ints.AddRange(values);
        return a;
    }
}
