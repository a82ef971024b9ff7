using LpCam.MLNet.Data;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Tests.Engine.Interop;
using LpCam.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Cli;

/// <summary>
/// The samples app under bad options, damaged run folders, changed settings and concurrent runs: each case ends in its
/// documented outcome (a one-line error naming the option or file with exit code 2, a rebuild with a warning naming the
/// file, or correct output), never in an unhandled exception.
/// </summary>
public sealed class CliFaultTests : IClassFixture<CliFaultTests.FinishedRun>, IDisposable
{
    private readonly FinishedRun _finished;
    private readonly TempFolder _temp = new();

    public CliFaultTests(FinishedRun finished) => _finished = finished;

    public void Dispose() => _temp.Dispose();

    /// <summary>One finished run on a voc-dev slice; each test works on its own copy of the folder.</summary>
    public sealed class FinishedRun : IDisposable
    {
        public FinishedRun()
        {
            var (code, output) = CliProcess.Run(Args(Folder.Path));
            if (code != 0) throw new InvalidOperationException($"the base run failed:\n{output}");
        }

        public TempFolder Folder { get; } = new();

        /// <summary>The base run's arguments; an option in <paramref name="extra"/> replaces the base run's value.</summary>
        public static string[] Args(string outDir, params string[] extra)
        {
            var options = new List<(string Name, string? Value)>
            {
                ("--voc", VocDev.Root), ("--max-images", "8"), ("--long-side", "160"), ("--k", "2"), ("--head-epochs", "10"),
                ("--gallery", "2"), ("--irn", null), ("--out", outDir),
            };
            var given = new List<(string, string?)>();
            for (int i = 0; i < extra.Length; i++)
                given.Add(i + 1 < extra.Length && !extra[i + 1].StartsWith("--", StringComparison.Ordinal) ? (extra[i], extra[++i]) : (extra[i], null));
            options.RemoveAll(o => given.Any(g => g.Item1 == o.Name));
            return options.Concat(given).SelectMany(o => o.Item2 is null ? new[] { o.Item1 } : new[] { o.Item1, o.Item2 }).Prepend("run").ToArray();
        }

        public void Dispose() => Folder.Dispose();
    }

    private string CopyOfRun()
    {
        string target = Path.Combine(_temp.Path, "run");
        foreach (var file in Directory.EnumerateFiles(_finished.Folder.Path, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(target, Path.GetRelativePath(_finished.Folder.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    private static void AssertOneLineError(int code, string output, string expected)
    {
        Assert.True(code == 2, output);
        Assert.Contains(expected, output);
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("   at ", output); // no stack trace without --verbose
    }

    [Theory]
    [InlineData("--scales", "0", "option --scales is '0'")]
    [InlineData("--scales", "NaN", "option --scales is 'NaN'")]
    [InlineData("--scales", "1,-1", "'-1' is not a scale")]
    [InlineData("--scales", "1,1", "a scale appears twice")]
    [InlineData("--long-side", "100000", "option --long-side is 100000; expected at most 4096")]
    [InlineData("--k", "0", "option --k is 0; expected at least 1")]
    [InlineData("--threshold", "1.5", "option --threshold is 1.5")]
    [InlineData("--backbone", "vgg", "option --backbone is 'vgg'")]
    [InlineData("--backbone", "missing.onnx:x", "ONNX model file not found: 'missing.onnx'")]
    public void A_bad_option_is_one_line_naming_it(string option, string value, string expected)
    {
        var (code, output) = CliProcess.Run(FinishedRun.Args(Path.Combine(_temp.Path, "out"), option, value));
        AssertOneLineError(code, output, expected);
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "out")), "options are checked before anything is written");
    }

    [Fact]
    public void A_long_side_and_scales_that_make_huge_images_are_refused_before_anything_runs()
    {
        var (code, output) = CliProcess.Run(FinishedRun.Args(Path.Combine(_temp.Path, "out"), "--long-side", "4096", "--scales", "1,2.5"));
        AssertOneLineError(code, output, "give the backbone images of 10240 pixels; expected at most 8192");
        Assert.False(Directory.Exists(Path.Combine(_temp.Path, "out")));
    }

    [Fact]
    public void A_backbone_file_that_is_not_onnx_or_lacks_the_tensor_is_one_line_naming_it()
    {
        string notOnnx = _temp.File("model.onnx");
        File.WriteAllBytes(notOnnx, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31 % 251)).ToArray());
        var (code, output) = CliProcess.Run(FinishedRun.Args(_temp.File("a"), "--backbone", notOnnx + ":features"));
        AssertOneLineError(code, output, $"option --backbone '{notOnnx}:features' could not be opened");

        string resnet = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        var (code2, output2) = CliProcess.Run(FinishedRun.Args(_temp.File("b"), "--backbone", resnet + ":no_such_tensor"));
        AssertOneLineError(code2, output2, "Tensor 'no_such_tensor' was not found");
    }

    [Fact]
    public void Damaged_cached_files_are_named_made_again_and_the_results_are_identical()
    {
        string run = CopyOfRun();
        string name = VocDev.Names(1)[0];
        var damaged = new[]
        {
            $"features/{name}.npz", "head.npz", "prototypes.npz", $"cam/{name}.npz", $"lpcam/{name}.npz", $"lpcam_f/{name}.npz",
            $"seeds/{name}.png", $"overlays/{name}.png", $"irn/lpcam/{name}.npy",
        };
        foreach (var file in damaged)
        {
            string path = Path.Combine(run, file);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]); // truncated, as a full disk or a copy cut short leaves it
        }
        File.WriteAllText(Path.Combine(run, "classifier.json"), "{ \"mAP\": 0.7"); // cut short JSON

        var (code, output) = CliProcess.Run(FinishedRun.Args(run));
        Assert.True(code == 0, output);
        var warnings = string.Join("\n", output.Split('\n').Where(l => l.StartsWith("warning:", StringComparison.Ordinal)));
        foreach (var file in damaged.Append("classifier.json"))
            Assert.True(warnings.Contains(Path.Combine(run, file), StringComparison.Ordinal), $"no warning names {file}:\n{warnings}");
        foreach (var file in damaged.Append("metrics.json"))
            Assert.True(File.ReadAllBytes(Path.Combine(_finished.Folder.Path, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(run, file))), $"{file} differs after the rebuild");
    }

    [Fact]
    public void Another_threshold_makes_the_seeds_again()
    {
        string run = CopyOfRun();
        var (code, output) = CliProcess.Run(FinishedRun.Args(run, "--threshold", "0.6"));
        Assert.True(code == 0, output);
        Assert.Contains("made with threshold 0.3; making them again with threshold 0.6", output);
        foreach (var name in VocDev.Names(8))
        {
            var maps = Npz.Read(Path.Combine(run, "lpcam", name + ".npz"));
            var keys = maps["keys"].AsInt32();
            var (h, w) = (maps["size"].AsInt32()[0], maps["size"].AsInt32()[1]);
            var cam = maps["cam"];
            using var t = tensor(cam.AsFloat32(), new long[] { 1, keys.Length, cam.Shape[1], cam.Shape[2] });
            using var full = nn.functional.interpolate(t, new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
            var expected = SeedMasks.FromMaps(full.data<float>().ToArray(), h, w, keys.Select(k => k + 1).ToList(), 0.6f);
            Assert.Equal(expected, VocPalette.DecodeMaskPng(Path.Combine(run, "seeds", name + ".png")).Mask);
        }
    }

    [Fact]
    public void A_folder_with_results_but_no_settings_record_is_refused()
    {
        string run = CopyOfRun();
        File.Delete(Path.Combine(run, "settings.json"));
        var (code, output) = CliProcess.Run(FinishedRun.Args(run, "--k", "5"));
        AssertOneLineError(code, output, "holds results but no settings.json");
    }

    [Fact]
    public void A_second_process_cannot_use_a_folder_in_use_nor_touch_its_temporary_files()
    {
        string run = CopyOfRun();
        string partial = Path.Combine(run, "lpcam", "x.npz.tmp-0123"); // a running process's file being written
        File.WriteAllText(partial, "partial");
        using (new FileStream(Path.Combine(run, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var (code, output) = CliProcess.Run(FinishedRun.Args(run));
            AssertOneLineError(code, output, "is in use by another lpcam process");
            Assert.True(File.Exists(partial));
        }
        var (code2, output2) = CliProcess.Run(FinishedRun.Args(run));
        Assert.True(code2 == 0, output2); // the lock is gone with its holder; the stale file is then removed
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void A_run_with_skipped_images_names_them_and_exits_with_1()
    {
        string voc = _temp.File("voc");
        VocWriter.Write(SyntheticScenes.Generate(12, seed: 5, size: 96), voc, new VocWriteOptions { ImageFormat = VocImageFormat.Jpeg });
        string jpeg = Directory.EnumerateFiles(Path.Combine(voc, "JPEGImages")).Order().Skip(3).First();
        File.WriteAllBytes(jpeg, File.ReadAllBytes(jpeg)[..100]);
        var (code, output) = CliProcess.Run("run", "--voc", voc, "--long-side", "96", "--k", "2", "--head-epochs", "5", "--out", _temp.File("out"));
        Assert.True(code == 1, output);
        Assert.Contains(jpeg, output);
        Assert.Contains("1 image(s) of the dataset could not be used", output);
        Assert.True(File.Exists(_temp.File(Path.Combine("out", "metrics.json"))));
    }
}
