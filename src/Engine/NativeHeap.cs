using System.Runtime.InteropServices;

namespace LpCam.MLNet.Engine;

/// <summary>
/// Hands the C heap's free memory back to the operating system (glibc's <c>malloc_trim</c>; nothing elsewhere). libtorch
/// allocates tensors with malloc: after a large tensor of a few to 32 MB is freed, glibc raises its mmap threshold and
/// keeps later ones of that size in its per-thread heaps, which it does not shrink while anything above them is live, so
/// the resident size keeps the largest tensors a thread ever held.
/// </summary>
internal static partial class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns the free pages of every glibc heap to the system; a no-op where that is not available.</summary>
    public static void Trim()
    {
        if (_unavailable)
            return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true; // not glibc (e.g. musl)
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
