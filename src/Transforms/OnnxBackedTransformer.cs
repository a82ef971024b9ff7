using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Transforms;

/// <summary>
/// The base of this library's fitted transformers: what Fit learned is compiled into an ONNX graph that ML.NET's own
/// <c>OnnxTransformer</c> runs. Transform, schema and saving are forwarded to it, so <c>mlContext.Model.Save</c> writes a
/// standard ML.NET zip and a fresh process loads it with plain <c>mlContext.Model.Load</c>, no registration needed.
/// </summary>
/// <remarks>
/// After loading, the object is ML.NET's <c>OnnxTransformer</c> (the zip stores the ONNX bytes); what a user needs to
/// inspect is kept in the ONNX model's metadata, readable with <see cref="Onnx.LpCamModelInfo"/>.
/// Dispose releases the ONNX Runtime session.
/// </remarks>
public abstract class OnnxBackedTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _inner;

    /// <summary>Wraps a fitted ONNX transformer.</summary>
    private protected OnnxBackedTransformer(ITransformer inner, IReadOnlyDictionary<string, string> metadata)
    {
        _inner = inner;
        Metadata = metadata;
    }

    /// <summary>The key/value metadata stored in the compiled ONNX model (also readable after loading).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => _inner.IsRowToRowMapper;

    /// <inheritdoc />
    public virtual DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => _inner.GetOutputSchema(inputSchema);

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => _inner.GetRowToRowMapper(inputSchema);

    /// <inheritdoc />
    public virtual IDataView Transform(IDataView input) => _inner.Transform(input);

    /// <inheritdoc />
    void ICanSaveModel.Save(ModelSaveContext ctx) => _inner.Save(ctx);

    /// <inheritdoc />
    public void Dispose()
    {
        (_inner as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }
}
