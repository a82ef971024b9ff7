using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>Argument checks on tensors whose messages name the tensor, its shape and what was expected.</summary>
internal static class TensorChecks
{
    /// <summary>"[2, 3, 4]".</summary>
    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>Throws unless <paramref name="t"/> has rank <paramref name="rank"/> and a floating-point type.</summary>
    public static void RequireFloat(Tensor t, int rank, string name, string expected)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.Dimensions != rank)
            throw new ArgumentException($"{name} has shape {Shape(t)}; expected rank {rank}: {expected}.", name);
        if (!t.is_floating_point())
            throw new ArgumentException($"{name} has element type {t.dtype}, shape {Shape(t)}; expected a floating-point tensor: {expected}.", name);
    }

    /// <summary>Throws when <paramref name="t"/> holds a NaN or an infinity.</summary>
    public static void RequireFinite(Tensor t, string name, string expected)
    {
        using var scope = NewDisposeScope();
        if (!t.isfinite().all().item<bool>())
        {
            long bad = t.numel() - t.isfinite().sum().item<long>();
            throw new ArgumentException($"{name} (shape {Shape(t)}) holds {bad} NaN or infinite value(s); expected finite values: {expected}.", name);
        }
    }
}
