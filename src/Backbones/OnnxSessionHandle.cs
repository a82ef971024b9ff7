using Microsoft.ML.OnnxRuntime;

namespace LpCam.MLNet.Backbones;

/// <summary>An ONNX Runtime session with its options and the execution provider that was actually used.</summary>
internal sealed class OnnxSessionHandle : IDisposable
{
    private OnnxSessionHandle(InferenceSession session, SessionOptions options, string provider)
    {
        Session = session;
        Options = options;
        Provider = provider;
    }

    public InferenceSession Session { get; }

    public SessionOptions Options { get; }

    /// <summary>"CUDA:&lt;id&gt;" or "CPU".</summary>
    public string Provider { get; }

    /// <summary>
    /// Creates a session on CUDA device <paramref name="gpuDeviceId"/> when given, falling back to the CPU when the CUDA
    /// provider cannot be loaded (no GPU, no CUDA libraries); <paramref name="log"/> hears which provider is used.
    /// </summary>
    public static OnnxSessionHandle Create(byte[] model, int? gpuDeviceId, Action<string>? log, string what)
    {
        if (gpuDeviceId is int id)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id, nameof(gpuDeviceId));
            SessionOptions? cuda = null;
            try
            {
                cuda = SessionOptions.MakeSessionOptionWithCudaProvider(id);
                var session = new InferenceSession(model, cuda);
                log?.Invoke($"{what}: ONNX Runtime uses the CUDA execution provider on device {id}.");
                return new OnnxSessionHandle(session, cuda, $"CUDA:{id}");
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
            {
                cuda?.Dispose();
                log?.Invoke($"{what}: the CUDA execution provider for device {id} could not be used ({ex.Message.Trim()}); falling back to the CPU.");
            }
        }
        // No CPU memory arena: the arena keeps the largest blocks it ever served, and with images of many sizes (every VOC
        // image and inference scale is its own input shape) it grew by hundreds of MB over a run; plain allocations keep
        // the peak flat at no measurable cost for a convolutional backbone (docs/benchmarks.md, "Peak memory").
        var cpu = new SessionOptions { EnableCpuMemArena = false };
        try
        {
            var session = new InferenceSession(model, cpu);
            log?.Invoke($"{what}: ONNX Runtime uses the CPU execution provider.");
            return new OnnxSessionHandle(session, cpu, "CPU");
        }
        catch
        {
            cpu.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Session.Dispose();
        Options.Dispose();
    }
}
