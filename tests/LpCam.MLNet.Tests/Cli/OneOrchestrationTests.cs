using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Tests.Components;
using LpCam.MLNet.Tests.Support;
using LpCam.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.Cli;

/// <summary>
/// The CLI and the ML.NET components are one orchestration: on the same images with the same settings, the CLI's
/// prototypes.npz and the prototypes inside the fitted model are the same, and so are their LPCAM maps.
/// </summary>
public class OneOrchestrationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lpcam-one-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_cli_and_the_components_fit_the_same_prototypes_and_make_the_same_lpcam_maps()
    {
        const int Images = 24, LongSide = 224;
        string dir = Path.Combine(_root, "run");
        var (code, output) = CliProcess.Run("run", "--voc", VocDev.Root, "--max-images", $"{Images}", "--long-side", $"{LongSide}",
            "--scales", "1.0,0.5", "--k", "3", "--head-epochs", "20", "--gallery", "0", "--out", dir);
        Assert.True(code == 0, output);

        var ml = new MLContext(seed: 1);
        var rows = VocSizedRow.Slice(Images);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = VocSizedRow.CanvasPipeline(ml, LongSide, LongSide)
            .Append(ml.LpCam().CamFeaturizer(new()
            {
                ImageSizeColumnName = "ImageSize", Scales = [1.0, 0.5], Flip = true, Device = "cpu",
                Head = new MultiLabelHeadOptions { Epochs = 20 },
            }))
            .Append(ml.LpCam().LocalPrototypes(new() { Fitting = new() { Clusters = 3, Device = "cpu" } }))
            .Fit(data);
        var fitted = (LpCamTransformer)model.LastTransformer;

        var cli = PrototypeNpz.Read(Path.Combine(dir, "prototypes.npz"));
        float worst = 0;
        for (int c = 0; c < 20; c++)
        {
            var (a, b) = (cli.Classes[c], fitted.Prototypes.Classes[c]);
            Assert.Equal(a.ClassCentres.Length, b.ClassCentres.Length);
            Assert.Equal(a.ContextCentres.Length, b.ContextCentres.Length);
            foreach (var (x, y) in a.ClassCentres.Zip(b.ClassCentres).Concat(a.ContextCentres.Zip(b.ContextCentres)))
                worst = Math.Max(worst, x.Zip(y, (p, q) => Math.Abs(p - q)).Max());
        }
        Assert.True(worst <= 1e-6f, $"prototypes differ by up to {worst}");
        Assert.Contains(cli.Classes, c => c.ClassCentres.Length > 1 && c.ContextCentres.Length > 0); // a real fit, not fallbacks only

        var maps = model.Transform(data).GetColumn<VBuffer<float>>("LpCam").Select(v => v.DenseValues().ToArray()).ToList();
        float worstMap = 0;
        for (int i = 0; i < Images; i++)
        {
            var file = Npz.Read(Path.Combine(dir, "lpcam", rows[i].Name + ".npz"));
            var keys = file["keys"].AsInt32();
            var cliMaps = file["cam"].AsFloat32();
            int plane = cliMaps.Length / Math.Max(1, keys.Length);
            for (int k = 0; k < keys.Length; k++)
                for (int p = 0; p < plane; p++)
                    worstMap = Math.Max(worstMap, Math.Abs(cliMaps[k * plane + p] - maps[i][keys[k] * plane + p]));
        }
        Assert.True(worstMap <= 1e-6f, $"LPCAM maps differ by up to {worstMap}");
    }
}
