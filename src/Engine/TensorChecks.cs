using static TorchSharp.torch;

namespace LpCam.MLNet.Engine;

/// <summary>Argument checks on tensors whose messages name the tensor, its shape and what was expected.</summary>
internal static class TensorChecks
{
    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    public static void Rank(Tensor t, int rank, string name, string layout)
    {
        if (t.dim() != rank)
            throw new ArgumentException($"Tensor '{name}' has shape {Shape(t)}; expected rank {rank}: {layout}.", name);
        if (t.dtype != ScalarType.Float32)
            throw new ArgumentException($"Tensor '{name}' has element type {t.dtype}; expected Float32.", name);
    }

    public static void Finite(Tensor t, string name)
    {
        using var scope = NewDisposeScope();
        if (!isfinite(t).all().item<bool>())
        {
            long bad = (~isfinite(t)).sum().item<long>();
            throw new ArgumentException($"Tensor '{name}' of shape {Shape(t)} holds {bad} NaN or infinite values; expected finite values.", name);
        }
    }
}
