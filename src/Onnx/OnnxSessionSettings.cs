using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// ONNX Runtime session options for ML.NET's <c>OnnxTransformer</c>s of an LpCam pipeline: thread pools that sleep
/// instead of spin-waiting between runs.
/// </summary>
/// <remarks>
/// <para>An LpCam model is a chain of OnnxTransformers (CamFeaturizer, LocalPrototypes, SeedMasks), each with its own ONNX
/// Runtime session and intra-op thread pool. By default those threads spin for a while after every run, so while one
/// session works the others' idle threads take the cores: on 2 cores the fitted model's Transform cost 1.55 x its backbone
/// alone with ONNX Runtime's defaults and 0.92 x with these options (docs/benchmarks.md, "The ML.NET route").</para>
/// <para>ML.NET reads session options from the MLContext when it creates a transformer (at Fit and at Model.Load); they
/// are not stored in the zip. The estimators of this library set these options on their context at Fit unless the
/// context already has session options; before <c>Model.Load</c> in a fresh process call <see cref="Apply"/> (or
/// <c>mlContext.LpCam().UseNonSpinningOnnxSessions()</c>). The sessions honour <see cref="MLContext.GpuDeviceId"/> and
/// <see cref="MLContext.FallbackToCpu"/> as ML.NET's own do, read when each session is created.</para>
/// </remarks>
public static class OnnxSessionSettings
{
    /// <summary>The session configuration keys set to "0".</summary>
    public static IReadOnlyList<string> SpinningKeys { get; } = ["session.intra_op.allow_spinning", "session.inter_op.allow_spinning"];

    /// <summary>ML.NET session options whose sessions do not spin-wait, on the context's device.</summary>
    public static OnnxSessionOptions NonSpinning(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new OnnxSessionOptions { CreateSessionOptions = () => Create(mlContext.GpuDeviceId, mlContext.FallbackToCpu) };
    }

    /// <summary>Sets <see cref="NonSpinning"/> as the context's ONNX session options (replacing any).</summary>
    public static void Apply(MLContext mlContext) => mlContext.SetOnnxSessionOption(NonSpinning(mlContext));

    /// <summary>Sets <see cref="NonSpinning"/> unless the context already has session options; true when it set them.</summary>
    internal static bool ApplyUnlessSet(MLContext mlContext)
    {
        if (mlContext.GetOnnxSessionOption() is not null) return false;
        Apply(mlContext);
        return true;
    }

    /// <summary>Session options with spinning off: CUDA on <paramref name="gpuDeviceId"/> when given (the CPU when CUDA
    /// cannot be loaded and <paramref name="fallbackToCpu"/>), else the CPU.</summary>
    /// <exception cref="OnnxRuntimeException">CUDA was asked for, cannot be loaded, and there is no fallback.</exception>
    public static SessionOptions Create(int? gpuDeviceId, bool fallbackToCpu)
    {
        SessionOptions options;
        if (gpuDeviceId is int id)
        {
            try
            {
                options = SessionOptions.MakeSessionOptionWithCudaProvider(id);
            }
            catch (OnnxRuntimeException) when (fallbackToCpu)
            {
                options = new SessionOptions();
            }
        }
        else options = new SessionOptions();
        foreach (var key in SpinningKeys) options.AddSessionConfigEntry(key, "0");
        return options;
    }
}
