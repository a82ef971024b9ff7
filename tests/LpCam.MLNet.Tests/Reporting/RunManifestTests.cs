using LpCam.MLNet.Reporting;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Reporting;

public sealed class RunManifestTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Manifest_round_trips()
    {
        var manifest = RunManifest.Start("lpcam run-all --k 12 --name \"<x>\"", new[] { KeyValuePair.Create("K", "12"), KeyValuePair.Create("tau", "0.1") });
        using (manifest.Time("features"))
            Thread.Sleep(5);
        manifest.AddStep("prototypes", TimeSpan.FromSeconds(4.5));
        manifest.Finish();
        string path = _folder.File("manifest.json");
        manifest.Write(path);

        var back = RunManifest.Read(path);
        Assert.Equal(manifest.CommandLine, back.CommandLine);
        Assert.Equal(manifest.StartedAt, back.StartedAt);
        Assert.Equal(manifest.EndedAt, back.EndedAt);
        Assert.Equal(manifest.Parameters, back.Parameters);
        Assert.Equal(manifest.Versions, back.Versions);
        Assert.Equal(new[] { "features", "prototypes" }, back.Steps.Select(s => s.Name));
        Assert.True(back.Steps[0].Seconds > 0);
        Assert.Equal(4.5, back.Steps[1].Seconds);
        Assert.Equal(manifest.ToJson(), back.ToJson());
        Assert.Contains("\"command_line\"", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void Versions_name_the_libraries()
    {
        var versions = RunManifest.CollectVersions();
        foreach (var name in new[] { "LpCam.MLNet", "Microsoft.ML", "TorchSharp", "Microsoft.ML.OnnxRuntime", ".NET" })
            Assert.False(string.IsNullOrWhiteSpace(versions[name]), name);
        Assert.StartsWith("5.", versions["Microsoft.ML"], StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_json_is_reported() =>
        Assert.Throws<InvalidDataException>(() => RunManifest.FromJson("{\"steps\": 3}"));
}
