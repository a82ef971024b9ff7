using System.Globalization;
using System.Text.RegularExpressions;
using LpCam.MLNet.FineTuning;
using LpCam.MLNet.Tests.Support;

namespace LpCam.MLNet.Tests.FineTuning;

/// <summary>
/// <see cref="OneDnnGuard"/>: oneDNN is turned off where its ResNet-50 backward pass would divide by zero, and only there.
/// (ResNet50Tests trains a ResNet-50 in this process: on such a CPU it is what crashed the test host before the guard.)
/// </summary>
public class OneDnnGuardTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lpcam-onednn-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_cache_check_agrees_with_the_kernels_reading_of_the_same_cpuid_leaf()
    {
        // Linux describes each CPU's caches in sysfs from CPUID (leaf 0x8000001D on AMD): an AMD CPU without them there
        // is one whose leaf is empty.
        Assert.True(File.Exists("/proc/cpuinfo") && Directory.Exists("/sys/devices/system/cpu/cpu0"), "a Linux /proc and /sys are expected");
        bool amd = File.ReadLines("/proc/cpuinfo").Any(l => l.StartsWith("vendor_id", StringComparison.Ordinal) && l.EndsWith("AuthenticAMD", StringComparison.Ordinal));
        bool kernelSeesCaches = Directory.Exists("/sys/devices/system/cpu/cpu0/cache/index0");
        Assert.Equal(amd && !kernelSeesCaches, OneDnnGuard.CacheGeometryMissing());
    }

    [Fact]
    public void Only_a_bottleneck_network_on_a_cpu_without_cache_geometry_turns_oneDNN_off()
    {
        Assert.Null(Environment.GetEnvironmentVariable("LPCAM_ONEDNN"));
        OneDnnGuard.Ensure(ResNetBlock.Basic);
        var reason = OneDnnGuard.Ensure(ResNetBlock.Bottleneck);
        Assert.Equal(OneDnnGuard.CacheGeometryMissing(), reason is not null);
        Assert.Equal(reason, OneDnnGuard.DisabledBecause);
        Assert.Equal(reason, OneDnnGuard.Ensure(ResNetBlock.Basic)); // never turned back on
        if (reason is not null) Assert.Contains("0x8000001D", reason);
    }

    [Fact]
    public void Fine_tuning_with_oneDNN_off_says_so_and_trains_the_same_network_to_float_rounding()
    {
        (string Output, double[] Losses) FineTune(string mode)
        {
            var (code, output) = CliProcess.RunWith(new Dictionary<string, string> { ["LPCAM_ONEDNN"] = mode },
                "fine-tune", "--voc", VocDev.Root, "--max-images", "8", "--out", Path.Combine(_dir, mode), "--max-steps", "2",
                "--batch", "4", "--crop", "96", "--min-long-side", "96", "--max-long-side", "128", "--output-stride", "16");
            Assert.True(code == 0, output);
            var losses = Regex.Matches(output, @"step \d+/2 \(epoch 1\): loss ([0-9.]+),")
                .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            Assert.True(losses.Length == 2, output);
            return (output, losses);
        }

        var off = FineTune("off");
        var on = FineTune("on");
        Assert.Contains("note: libtorch's oneDNN convolutions are off (LPCAM_ONEDNN=off)", off.Output);
        Assert.DoesNotContain("oneDNN", on.Output);
        for (int i = 0; i < 2; i++) Assert.Equal(on.Losses[i], off.Losses[i], tolerance: 2e-3);

        var (code, output) = CliProcess.RunWith(new Dictionary<string, string> { ["LPCAM_ONEDNN"] = "maybe" },
            "fine-tune", "--voc", VocDev.Root, "--max-images", "8", "--out", Path.Combine(_dir, "bad"), "--max-steps", "1");
        Assert.NotEqual(0, code);
        Assert.Contains("LPCAM_ONEDNN is 'maybe'; expected off, on or auto", output);
        Assert.DoesNotContain("step 1/", output);
    }
}
