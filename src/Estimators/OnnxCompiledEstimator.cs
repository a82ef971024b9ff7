using LpCam.MLNet.Onnx;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Onnx;

namespace LpCam.MLNet.Estimators;

/// <summary>
/// The skeleton every LpCam estimator follows: its options are checked when it is created; <see cref="Fit"/> checks the
/// input schema, learns, compiles what it learned into an ONNX graph and runs that graph with ML.NET's own
/// <see cref="OnnxTransformer"/> (so the fitted model saves to and loads from an ML.NET zip with no registration), then
/// wraps it; <see cref="GetOutputSchema"/> checks the input columns and declares the output columns.
/// </summary>
/// <typeparam name="TTransformer">The fitted transformer, a thin wrapper of the <see cref="OnnxTransformer"/>.</typeparam>
public abstract class OnnxCompiledEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : class, ITransformer
{
    private protected OnnxCompiledEstimator(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        Context = mlContext;
    }

    /// <summary>The context: its <see cref="MLContext.GpuDeviceId"/> and <see cref="MLContext.FallbackToCpu"/> choose where
    /// the compiled graph runs.</summary>
    private protected MLContext Context { get; }

    /// <summary>
    /// Checks the input schema, learns from <paramref name="input"/> and returns the fitted transformer. Progress lines go
    /// to <see cref="MLContext.Log"/> (source <c>LpCam.&lt;estimator&gt;; Fit</c>, kind Info) and to the estimator's
    /// <c>Options.Log</c> when one is set.
    /// </summary>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var host = ((IHostEnvironment)Context).Register("LpCam." + GetType().Name.Replace("Estimator", "", StringComparison.Ordinal));
        using var channel = host.Start("Fit");
        _channel = channel;
        try
        {
            return FitCompiled(input);
        }
        finally
        {
            _channel = null;
        }
    }

    private IChannel? _channel;

    /// <summary>The estimator's own progress callback (its <c>Options.Log</c>), or null.</summary>
    private protected abstract Action<string>? OptionsLog { get; }

    /// <summary>Writes a progress line to <see cref="MLContext.Log"/> (during Fit) and to <see cref="OptionsLog"/>.</summary>
    private protected void Log(string message)
    {
        _channel?.Info(MessageSensitivity.None, message);
        OptionsLog?.Invoke(message);
    }

    /// <summary>
    /// The output schema: the input columns are checked (the message names a missing or mistyped column), and the output
    /// columns are declared as ML.NET's OnnxTransformer declares them.
    /// </summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        string input = CheckInputShape(inputSchema);
        return OutputShape(inputSchema, input, OutputColumns);
    }

    /// <summary>Checks, learns, compiles (<see cref="Run"/>) and wraps.</summary>
    private protected abstract TTransformer FitCompiled(IDataView input);

    /// <summary>Checks the input columns of a schema shape; returns the name of one float-vector input column.</summary>
    private protected abstract string CheckInputShape(SchemaShape inputSchema);

    /// <summary>The output columns: their names and whether they hold bytes (seed labels) rather than floats.</summary>
    private protected abstract IReadOnlyList<(string Name, bool Bytes)> OutputColumns { get; }

    /// <summary>Runs a compiled graph over <paramref name="input"/> with ML.NET's OnnxTransformer on the context's device.</summary>
    /// <param name="input">The data the transformer is fitted to (its schema).</param>
    /// <param name="graph">The serialised ONNX model.</param>
    /// <param name="inputs">Graph inputs, named as the input columns.</param>
    /// <param name="outputs">Graph outputs, named as the output columns.</param>
    /// <param name="shapes">Fixed shapes of symbolic input dimensions, when the graph has any.</param>
    private protected OnnxTransformer Run(IDataView input, byte[] graph, string[] inputs, string[] outputs, IDictionary<string, int[]>? shapes = null)
    {
        if (OnnxSessionSettings.ApplyUnlessSet(Context))
            Log("ONNX Runtime sessions of this context: spinning off (OnnxSessionSettings), so the chain's sessions do not compete for the cores.");
        return (shapes is null
            ? Context.Transforms.ApplyOnnxModel(outputs, inputs, new MemoryStream(graph), Context.GpuDeviceId, Context.FallbackToCpu)
            : Context.Transforms.ApplyOnnxModel(outputs, inputs, new MemoryStream(graph), shapes, Context.GpuDeviceId, Context.FallbackToCpu))
            .Fit(input);
    }

    /// <summary>
    /// A <see cref="SchemaShape"/> carries no sizes, and only ML.NET can make one: the output shape is that of a one-node-per-
    /// output graph (Identity for floats, Cast to uint8 for bytes) read by the same OnnxTransformer.
    /// </summary>
    private SchemaShape OutputShape(SchemaShape inputSchema, string input, IReadOnlyList<(string Name, bool Bytes)> outputs)
    {
        var g = new OnnxGraphBuilder("lpcam_output_schema");
        g.Input(input, 1L, 1L);
        foreach (var (name, bytes) in outputs)
        {
            if (bytes)
            {
                g.Node("Cast", [input], name, ("to", (long)OnnxGraphBuilder.UInt8Type));
                g.Output(name, OnnxGraphBuilder.UInt8Type, 1L, 1L);
            }
            else
            {
                g.Node("Identity", [input], name);
                g.Output(name, 1L, 1L);
            }
        }
        return Context.Transforms.ApplyOnnxModel(outputs.Select(o => o.Name).ToArray(), [input], new MemoryStream(g.ToBytes())).GetOutputSchema(inputSchema);
    }
}
