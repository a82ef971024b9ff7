using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Tests.Support;

namespace LpCam.MLNet.Tests.Cli;

/// <summary>The samples app gives the same files whatever --workers is: parallelism never changes a result.</summary>
public class CliWorkersTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lpcam-workers-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Run(int workers, int images = 10, params string[] extra)
    {
        string dir = Path.Combine(_root, $"w{workers}");
        var args = new[] { "run", "--voc", VocDev.Root, "--max-images", images.ToString(System.Globalization.CultureInfo.InvariantCulture), "--long-side", "224", "--scales", "1.0,0.5", "--k", "3",
            "--head-epochs", "20", "--gallery", "2", "--workers", workers.ToString(), "--out", dir }.Concat(extra).ToArray();
        var (code, output) = CliProcess.Run(args);
        Assert.True(code == 0, output);
        Assert.Contains("whole run / backbone step:", output);
        return dir;
    }

    [Fact]
    public void One_and_three_workers_write_byte_identical_metrics_and_seeds()
    {
        string one = Run(1), three = Run(3);
        Assert.Equal(File.ReadAllBytes(Path.Combine(one, "metrics.json")), File.ReadAllBytes(Path.Combine(three, "metrics.json")));
        var names = VocDev.Names(10);
        foreach (var name in names)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(one, "seeds", name + ".png")), File.ReadAllBytes(Path.Combine(three, "seeds", name + ".png")));
            foreach (var method in new[] { "cam", "lpcam", "lpcam_f" })
                Assert.Equal(Npz.Read(Path.Combine(one, method, name + ".npz"))["cam"].AsFloat32(), Npz.Read(Path.Combine(three, method, name + ".npz"))["cam"].AsFloat32());
            // The backbone ran once per scale and flip; make-cam and make-lpcam read these arrays back.
            var features = Npz.Read(Path.Combine(one, "features", name + ".npz"));
            Assert.Equal(new[] { "features", "feature_size", "dim", "size" }, features.Keys.ToArray());
        }
        // The report's gallery and its overlays: the first two images, in dataset order.
        foreach (var dir in new[] { one, three })
            Assert.Equal(names.Take(2).Select(n => n + ".png"), Directory.GetFiles(Path.Combine(dir, "overlays")).Select(Path.GetFileName).Order());
        foreach (var thumb in Directory.GetFiles(Path.Combine(one, "thumbs")))
            Assert.Equal(File.ReadAllBytes(thumb), File.ReadAllBytes(Path.Combine(three, "thumbs", Path.GetFileName(thumb))));
    }

    [Fact]
    public void Overlays_all_draws_every_image()
    {
        string dir = Run(2, images: 4, "--overlays", "all");
        Assert.Equal(4, Directory.GetFiles(Path.Combine(dir, "overlays"), "*.png").Length);
    }
}
