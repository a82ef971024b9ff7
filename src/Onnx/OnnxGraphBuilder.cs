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
    private readonly ModelProto _model;
    private int _nodeCount;

    public OnnxGraphBuilder(string graphName)
    {
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

    public string Initializer(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = FloatType };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(values);
        _model.Graph.Initializer.Add(t);
        return name;
    }

    public string Initializer(string name, long[] dims, long[] values)
    {
        var t = new TensorProto { Name = name, DataType = Int64Type };
        t.Dims.AddRange(dims);
        t.Int64Data.AddRange(values);
        _model.Graph.Initializer.Add(t);
        return name;
    }

    /// <summary>Adds a node; attributes are <c>long</c>, <c>float</c>, <c>string</c> or <c>long[]</c>. Returns the output name.</summary>
    public string Node(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        foreach (var (name, value) in attributes) node.Attribute.Add(Attribute(name, value));
        _model.Graph.Node.Add(node);
        return output;
    }

    public OnnxGraphBuilder Metadata(string key, string value)
    {
        _model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

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
