using TorchSharp;

namespace LpCam.MLNet.Engine;

/// <summary>Chooses the TorchSharp device for training and clustering: CUDA when asked for and present, else the CPU.</summary>
public static class TorchDevice
{
    /// <summary>
    /// Resolves "cpu", "cuda" or "auto" (CUDA when the CUDA backend of TorchSharp is loaded and a GPU is visible).
    /// TorchSharp always uses the default CUDA device: there is no device index.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name, or "cuda" where CUDA is not available.</exception>
    public static torch.Device Resolve(string name = "auto")
    {
        switch (name.ToLowerInvariant())
        {
            case "cpu":
                return torch.CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                    throw new ArgumentException("Device 'cuda' was requested but TorchSharp sees no CUDA device (the CPU backend is built in by default: build with -p:TorchBackend=cuda on a machine with a GPU).", nameof(name));
                return torch.CUDA;
            case "auto":
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            default:
                throw new ArgumentException($"Unknown device '{name}'; expected 'cpu', 'cuda' or 'auto'.", nameof(name));
        }
    }
}
