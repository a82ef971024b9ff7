using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Turns libtorch's oneDNN (MKL-DNN) convolutions off where they would kill the process: on CPUs whose cache geometry
/// oneDNN misreads, the backward pass of a bottleneck ResNet divides by zero (SIGFPE, not an exception).
/// </summary>
/// <remarks>
/// oneDNN sizes its convolution blocks from the data caches that CPUID reports. On AMD processors it reads leaf
/// 0x8000001D; some hypervisors leave that leaf empty, and oneDNN then divides by zero in
/// <c>brgemm_convolution_bwd_utils::brg_blocking_t::est_eff_1x1</c> on the backward pass of ResNet-50's 1x1
/// convolutions, at every input size tried from 32 to 512 pixels (libtorch 2.10 / oneDNN 3.7.1 on a 2-core AMD EPYC
/// guest). ResNet-18 trains there with oneDNN at every size tried, and libtorch's own convolutions are about three times
/// slower, so oneDNN is turned off only when a bottleneck network is built on such a CPU. The switch is process-wide and
/// is never turned back on: another thread may be training. The environment variable <c>LPCAM_ONEDNN</c> overrides the
/// detection: <c>off</c> turns oneDNN off for any network on any CPU, <c>on</c> keeps it on, <c>auto</c> (or unset) detects.
/// </remarks>
public static class OneDnnGuard
{
    private static readonly object Gate = new();

    /// <summary>Why oneDNN was turned off in this process, or null while it is on.</summary>
    public static string? DisabledBecause { get; private set; }

    /// <summary>
    /// Turns oneDNN off where training <paramref name="block"/> networks needs it (see the remarks of the class); once off,
    /// it stays off. Call before the first convolution of such a network; <see cref="ResNet"/>'s constructor does.
    /// </summary>
    /// <param name="block">The block of the network about to be built.</param>
    /// <returns><see cref="DisabledBecause"/>.</returns>
    /// <exception cref="ArgumentException">LPCAM_ONEDNN is set to something other than off, on or auto.</exception>
    public static string? Ensure(ResNetBlock block)
    {
        lock (Gate)
        {
            if (DisabledBecause is not null) return DisabledBecause;
            string? forced = Environment.GetEnvironmentVariable("LPCAM_ONEDNN")?.Trim().ToLowerInvariant();
            string? reason = forced switch
            {
                "off" or "0" or "false" => "LPCAM_ONEDNN=off",
                "on" or "1" or "true" => null,
                null or "" or "auto" when block == ResNetBlock.Bottleneck && CacheGeometryMissing() =>
                    "this AMD CPU describes no data caches in CPUID leaf 0x8000001D, where oneDNN's ResNet-50 backward pass divides by zero",
                null or "" or "auto" => null,
                _ => throw new ArgumentException($"The environment variable LPCAM_ONEDNN is '{forced}'; expected off, on or auto (the default: off only where needed)."),
            };
            if (reason is not null && TurnMkldnnOff()) DisabledBecause = reason;
            return DisabledBecause;
        }
    }

    /// <summary>True where CPUID names an AMD processor that describes no data caches in leaf 0x8000001D.</summary>
    public static bool CacheGeometryMissing()
    {
        if (!X86Base.IsSupported) return false;
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163; // "Auth" "enti" "cAMD"
        if (!amd) return false;
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((uint)maxExtended < 0x8000001D) return false;
        var (eax, _, _, _) = X86Base.CpuId(unchecked((int)0x8000001D), 0);
        return (eax & 0x1F) == 0; // cache type 0: no cache described
    }

    /// <summary>Clears libtorch's global "user enabled MKL-DNN" flag; false where libtorch_cpu does not export it.</summary>
    private static bool TurnMkldnnOff()
    {
        torch.InitializeDeviceType(DeviceType.CPU); // loads TorchSharp's native libraries first
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var library)
            && !NativeLibrary.TryLoad("libtorch_cpu.so", out library))
            return false;
        if (!NativeLibrary.TryGetExport(library, "_ZN2at13globalContextEv", out var globalContext)
            || !NativeLibrary.TryGetExport(library, "_ZN2at7Context20setUserEnabledMkldnnEb", out var setEnabled)
            || !NativeLibrary.TryGetExport(library, "_ZNK2at7Context17userEnabledMkldnnEv", out var getEnabled))
            return false;
        unsafe
        {
            var context = ((delegate* unmanaged<nint>)globalContext)();
            ((delegate* unmanaged<nint, byte, void>)setEnabled)(context, 0);
            return ((delegate* unmanaged<nint, byte>)getEnabled)(context) == 0;
        }
    }
}
