using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LpCam.MLNet.Reporting;

/// <summary>How long one step of a run took.</summary>
/// <param name="Name">The step, e.g. "features" or "prototypes".</param>
/// <param name="Seconds">Wall-clock seconds.</param>
public sealed record StepTiming(string Name, double Seconds);

/// <summary>
/// manifest.json: what produced a run's outputs. The versions of this library, ML.NET, TorchSharp, ONNX Runtime and .NET,
/// the parameters, the command line, start and end time and the time of each step.
/// </summary>
/// <remarks>Written atomically. Not thread-safe: record steps from one thread.</remarks>
public sealed class RunManifest
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The command line of the run.</summary>
    public string CommandLine { get; set; } = string.Empty;

    /// <summary>When the run started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the run ended; null while it runs.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Component name to version (see <see cref="CollectVersions"/>).</summary>
    public Dictionary<string, string> Versions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Parameter name to value, as text.</summary>
    public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The steps in the order they ended.</summary>
    public List<StepTiming> Steps { get; set; } = new();

    /// <summary>Starts a manifest now, with the versions of this process filled in.</summary>
    /// <param name="commandLine">The command line.</param>
    /// <param name="parameters">Parameter names and values, or null.</param>
    public static RunManifest Start(string commandLine, IEnumerable<KeyValuePair<string, string>>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var manifest = new RunManifest { CommandLine = commandLine, StartedAt = DateTimeOffset.Now };
        foreach (var (name, version) in CollectVersions())
            manifest.Versions[name] = version;
        if (parameters is not null)
            foreach (var (name, value) in parameters)
                manifest.Parameters[name] = value;
        return manifest;
    }

    /// <summary>Versions of this library, ML.NET, TorchSharp, ONNX Runtime, SkiaSharp and .NET, and the OS, read from the
    /// loaded assemblies (their informational version when they have one).</summary>
    public static IReadOnlyDictionary<string, string> CollectVersions() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["LpCam.MLNet"] = VersionOf(typeof(RunManifest).Assembly),
        ["Microsoft.ML"] = VersionOf(typeof(Microsoft.ML.MLContext).Assembly),
        ["TorchSharp"] = VersionOf(typeof(TorchSharp.torch).Assembly),
        ["Microsoft.ML.OnnxRuntime"] = VersionOf(typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly),
        ["SkiaSharp"] = VersionOf(typeof(SkiaSharp.SKBitmap).Assembly),
        [".NET"] = RuntimeInformation.FrameworkDescription,
        ["OS"] = RuntimeInformation.OSDescription,
    };

    /// <summary>Records a step's duration.</summary>
    public void AddStep(string name, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Steps.Add(new StepTiming(name, duration.TotalSeconds));
    }

    /// <summary>Times a step until the returned object is disposed: <c>using (manifest.Time("features")) { ... }</c>.</summary>
    public IDisposable Time(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new StepTimer(this, name);
    }

    /// <summary>Sets <see cref="EndedAt"/> to now.</summary>
    public void Finish() => EndedAt = DateTimeOffset.Now;

    /// <summary>The manifest as indented JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Options) + "\n";

    /// <summary>Parses a manifest.</summary>
    /// <exception cref="InvalidDataException">The text is not a manifest.</exception>
    public static RunManifest FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonSerializer.Deserialize<RunManifest>(json, Options)
                ?? throw new InvalidDataException("The manifest is the JSON literal null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a run manifest: {e.Message}", e);
        }
    }

    /// <summary>Writes the manifest to <paramref name="path"/> atomically.</summary>
    public void Write(string path) => ReportFiles.WriteAllText(path, ToJson());

    /// <summary>Reads a manifest file.</summary>
    /// <exception cref="InvalidDataException">The file is not a manifest.</exception>
    public static RunManifest Read(string path) => FromJson(File.ReadAllText(path));

    private static string VersionOf(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? assembly.GetName().Version?.ToString()
        ?? "unknown";

    private sealed class StepTimer(RunManifest manifest, string name) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private bool _done;

        public void Dispose()
        {
            if (_done)
                return;
            _done = true;
            manifest.AddStep(name, Stopwatch.GetElapsedTime(_start));
        }
    }
}
