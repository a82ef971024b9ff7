using System.IO.Compression;
using System.Xml.Linq;
using LpCam.MLNet.Tests.Engine.Interop;
using LpCam.MLNet.Tests.Support;

namespace LpCam.MLNet.Tests.Packaging;

/// <summary>
/// The NuGet packages as an ML.NET developer gets them: packed into a local folder, their metadata and dependencies
/// read back, and a small app (tests/LpCam.PackageConsumer, copied outside the repository) that references only the
/// package builds, fits, saves, loads and predicts on real VOC images.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _version = "0.0.0-consumer." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + Guid.NewGuid().ToString("N")[..6];

    public void Dispose() => _temp.Dispose();

    private string Packages => _temp.File("packages");

    private void Pack(string project)
    {
        var (code, output) = CliProcess.Dotnet(RepoFiles.Root, "pack", project, "-c", "Release", "--no-build", "-o", Packages, $"-p:PackageVersion={_version}", "-nologo");
        Assert.True(code == 0, output);
    }

    private XElement Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(Packages, $"{id}.{_version}.nupkg"));
        using var stream = zip.GetEntry($"{id}.nuspec")!.Open();
        return XElement.Load(stream);
    }

    [Fact]
    public void The_packages_carry_complete_metadata_and_the_core_pulls_neither_fine_tuning_nor_reporting()
    {
        Pack("src/LpCam.MLNet.csproj");
        Pack("src/FineTuning/LpCam.MLNet.FineTuning.csproj");
        Pack("src/Reporting/LpCam.MLNet.Reporting.csproj");
        foreach (var id in new[] { "LpCam.MLNet", "LpCam.MLNet.FineTuning", "LpCam.MLNet.Reporting" })
        {
            var metadata = Nuspec(id).Elements().Single(e => e.Name.LocalName == "metadata");
            string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.Equal(id, Field("id"));
            Assert.Equal(_version, Field("version"));
            foreach (var name in new[] { "authors", "description", "releaseNotes", "tags", "readme", "copyright" })
                Assert.False(string.IsNullOrWhiteSpace(Field(name)), $"{id}: <{name}> is empty");
            Assert.Equal("MIT", Field("license"));
        }
        var core = Nuspec("LpCam.MLNet").Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();
        Assert.Contains("Microsoft.ML", core);
        Assert.DoesNotContain("TorchSharp.PyBridge", core);
        using (var zip = ZipFile.OpenRead(Path.Combine(Packages, $"LpCam.MLNet.{_version}.nupkg")))
        {
            Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".onnx", StringComparison.Ordinal)); // the model comes with its own package
            Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("FineTuning", StringComparison.Ordinal));
        }
        // The core assembly holds no reporting and no fine-tuning code.
        var coreTypes = typeof(LpCam.MLNet.Data.VocDataset).Assembly.GetTypes();
        Assert.DoesNotContain(coreTypes, t => t.Namespace is "LpCam.MLNet.Reporting" or "LpCam.MLNet.FineTuning");
        var fineTuning = Nuspec("LpCam.MLNet.FineTuning").Descendants().Where(e => e.Name.LocalName == "dependency").ToList();
        Assert.Contains(fineTuning, e => (string)e.Attribute("id")! == "TorchSharp.PyBridge");
        Assert.Contains(fineTuning, e => (string)e.Attribute("id")! == "LpCam.MLNet" && (string)e.Attribute("version")! == $"[{_version}]"); // lockstep
    }

    [Fact]
    public void An_app_that_references_only_the_package_fits_saves_loads_and_predicts_on_voc_images()
    {
        Pack("src/LpCam.MLNet.csproj");
        string app = _temp.File("app");
        Directory.CreateDirectory(app);
        string template = Path.Combine(RepoFiles.Root, "tests", "LpCam.PackageConsumer");
        File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(app, "Program.cs"));
        File.Copy(Path.Combine(template, "LpCam.PackageConsumer.csproj.template"), Path.Combine(app, "LpCam.PackageConsumer.csproj"));
        // Only the local folder as a source; the packages this machine already restored serve the other dependencies
        // (a fallback folder), and LpCam.MLNet is extracted into a private folder, never into the machine's cache.
        string global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env
            ? env : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="local" value="{Packages}" /></packageSources>
              <fallbackPackageFolders><add key="machine" value="{global}" /></fallbackPackageFolders>
              <config><add key="globalPackagesFolder" value="{_temp.File("restored")}" /></config>
            </configuration>
            """);

        var (build, buildOutput) = CliProcess.Dotnet(app, "build", "-c", "Release", $"-p:LpCamVersion={_version}", "-nologo");
        Assert.True(build == 0, buildOutput);
        string dll = Path.Combine(app, "bin", "Release", "net10.0", "LpCam.PackageConsumer.dll");
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(dll)!, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx")),
            "the pretrained model reaches the app's output through the package");

        string zip = _temp.File("model.zip");
        var (run, runOutput) = CliProcess.Dotnet(app, dll, VocDev.Root, "6", zip);
        Assert.True(run == 0, runOutput);
        Assert.Contains("consumer ok", runOutput);
        Assert.True(new FileInfo(zip).Length > 1_000_000);
    }
}
