using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine;

/// <summary>Argument checks on tensors whose messages name the tensor, its shape and what was expected.</summary>
internal static class TensorChecks
{
    /// <summary>"[2, 3, 4]".</summary>
    public static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    /// <summary>Throws unless <paramref name="t"/> is a float32 tensor of rank <paramref name="rank"/> (<paramref name="layout"/> says which).</summary>
    public static void Rank(Tensor t, int rank, string name, string layout)
    {
        if (t.dim() != rank)
            throw new ArgumentException($"Tensor '{name}' has shape {Shape(t)}; expected rank {rank}: {layout}.", name);
        if (t.dtype != ScalarType.Float32)
            throw new ArgumentException($"Tensor '{name}' has element type {t.dtype}; expected Float32.", name);
    }

    /// <summary>Throws when tensor <paramref name="name"/> holds a NaN or an infinity.</summary>
    public static void Finite(Tensor t, string name) => RequireFinite(t, $"Tensor '{name}'", "finite features and weights");

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
        // Two reductions instead of a full boolean mask: max and min propagate NaN, and are infinite exactly when some
        // value is (about 10x cheaper than isfinite().all() on a 50,000 x 512 sample).
        if (t.numel() > 0 && !(float.IsFinite(t.max().to_type(ScalarType.Float32).item<float>()) && float.IsFinite(t.min().to_type(ScalarType.Float32).item<float>())))
        {
            long bad = t.numel() - t.isfinite().sum().item<long>();
            throw new ArgumentException($"{name} (shape {Shape(t)}) holds {bad} NaN or infinite value(s); expected finite values: {expected}.", name);
        }
    }

    /// <summary>Copies a float32 tensor, any device, into a new row-major managed array (one block copy).</summary>
    public static float[] ToFloatArray(Tensor t)
    {
        using var scope = NewDisposeScope();
        var host = t.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return MemoryMarshal.Cast<byte, float>(host.bytes).ToArray();
    }

    /// <summary>Copies an integer tensor, any device, into a new managed int array.</summary>
    public static int[] ToInt32Array(Tensor t)
    {
        using var scope = NewDisposeScope();
        var host = t.detach().to_type(ScalarType.Int32).cpu().contiguous();
        return MemoryMarshal.Cast<byte, int>(host.bytes).ToArray();
    }
}
