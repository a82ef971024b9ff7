using LpCam.MLNet.Data;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Reporting;
using LpCam.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Cli;

/// <summary>The samples app end to end on a slice of voc-dev: outputs, metrics.json, resume, settings check.</summary>
public class CliRunTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("lpcam-cli-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    private string[] RunArgs(params string[] extra) =>
        new[] { "run", "--voc", VocDev.Root, "--max-images", "12", "--long-side", "224", "--k", "3", "--head-epochs", "20", "--gallery", "3", "--irn", "--out", _out }
            .Concat(extra).ToArray();

    [Fact]
    public void Run_on_a_voc_slice_writes_every_output_and_resumes_after_an_interruption()
    {
        var (code, output) = CliProcess.Run(RunArgs());
        Assert.True(code == 0, output);
        var names = VocDev.Names(12);

        // metrics.json passes the schema check and equals a plain recomputation from the written maps and the masks.
        string json = File.ReadAllText(Path.Combine(_out, "metrics.json"));
        Assert.Empty(MetricsJson.Validate(json));
        var metrics = MetricsJson.Parse(json);
        Assert.Equal(12, metrics.Images);
        var matrix = new ConfusionMatrix(21);
        foreach (var name in names)
        {
            var maps = Npz.Read(Path.Combine(_out, "lpcam", name + ".npz"));
            var keys = maps["keys"].AsInt32();
            var (mask, h, w) = VocPalette.DecodeMaskPng(Path.Combine(VocDev.Root, "SegmentationClass", name + ".png"));
            var cam = maps["cam"];
            using var t = tensor(cam.AsFloat32(), new long[] { 1, keys.Length, cam.Shape[1], cam.Shape[2] });
            using var full = nn.functional.interpolate(t, new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
            var seed = SeedMasks.FromMaps(full.data<float>().ToArray(), h, w, keys.Select(k => k + 1).ToList(), 0.3f);
            matrix.Add(seed, mask);
            // The seed PNG is the same seed.
            var (written, sh, sw) = VocPalette.DecodeMaskPng(Path.Combine(_out, "seeds", name + ".png"));
            Assert.Equal((h, w), (sh, sw));
            Assert.Equal(seed, written);
            // Overlays are drawn only for the images the report shows (--gallery 3: the first three with masks).
            Assert.Equal(names.ToList().IndexOf(name) < 3, File.Exists(Path.Combine(_out, "overlays", name + ".png")));
        }
        var expected = SegmentationMetrics.From(matrix);
        Assert.Equal(expected.MeanIoU, metrics.LpCam.Chosen.MeanIoU, 6);
        Assert.Equal(expected.Recall, metrics.LpCam.Chosen.Recall, 6);
        Assert.Contains("<table", File.ReadAllText(Path.Combine(_out, "report.html")));
        Assert.True(File.Exists(Path.Combine(_out, "prototypes.npz")));
        Assert.True(File.Exists(Path.Combine(_out, "manifest.json")));
        var manifest = RunManifest.Read(Path.Combine(_out, "manifest.json"));
        Assert.Contains(manifest.Steps, s => s.Name == "fit-prototypes");
        Assert.Equal("3", manifest.Parameters["k"]);
        // --irn: IRN's layout, a .npy holding a pickled dict (numpy's magic, object dtype).
        var irn = File.ReadAllBytes(Path.Combine(_out, "irn", "lpcam", names[0] + ".npy"));
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }, irn.Take(6).ToArray());
        Assert.Contains("'descr': '|O'", System.Text.Encoding.ASCII.GetString(irn, 0, 128));

        // A killed run leaves whole files (atomic writes) and perhaps a temporary file; take some outputs away as a kill
        // in make-lpcam would, and re-run: only the missing images are redone and the results are the same.
        foreach (var name in names.Skip(8))
        {
            File.Delete(Path.Combine(_out, "lpcam", name + ".npz"));
            File.Delete(Path.Combine(_out, "lpcam_f", name + ".npz"));
            File.Delete(Path.Combine(_out, "seeds", name + ".png"));
        }
        File.WriteAllText(Path.Combine(_out, "lpcam", names[9] + ".npz.tmp-0123"), "partial");
        File.Delete(Path.Combine(_out, "metrics.json"));
        var (code2, output2) = CliProcess.Run(RunArgs());
        Assert.True(code2 == 0, output2);
        Assert.Contains("(12 already done)", output2); // features and CAM maps were not recomputed
        Assert.Contains("(8 already done)", output2);  // make-lpcam and seeds redid only the 4 missing images
        Assert.Contains("resumed run", output2);
        Assert.Equal(json, File.ReadAllText(Path.Combine(_out, "metrics.json")));
        Assert.False(File.Exists(Path.Combine(_out, "lpcam", names[9] + ".npz.tmp-0123")), "stale temporary files are removed");

        // The same --out with other settings is refused rather than mixed.
        var (code3, output3) = CliProcess.Run(RunArgs("--tau", "0.2"));
        Assert.Equal(2, code3);
        Assert.Contains("tau: 0.1 -> 0.2", output3);
    }

    [Fact]
    public void Bad_arguments_get_a_clear_message_and_exit_code_2()
    {
        var (code, output) = CliProcess.Run("run", "--voc", Path.Combine(_out, "missing"));
        Assert.Equal(2, code);
        Assert.Contains("missing", output);

        var (code2, output2) = CliProcess.Run("run", "--voc", VocDev.Root, "--tua", "0.2");
        Assert.Equal(2, code2);
        Assert.Contains("--tua", output2);

        var (code3, output3) = CliProcess.Run("frobnicate");
        Assert.Equal(2, code3);
        Assert.Contains("unknown command 'frobnicate'", output3);
    }
}
