using System.Text.Json;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The --out folder of a run: where each step writes, and the settings it was made with. Every file is written to a
/// temporary name and moved into place, so a killed run leaves only whole files, and a re-run skips what exists.
/// </summary>
internal sealed class RunFolder
{
    public RunFolder(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        // Temporary files of a killed run: never whole, never read; remove them.
        foreach (var stale in Directory.EnumerateFiles(Root, "*.tmp-*", SearchOption.AllDirectories)) File.Delete(stale);
    }

    public string Root { get; }
    public string Head => Path.Combine(Root, "head.npz");
    public string Classifier => Path.Combine(Root, "classifier.json");
    public string Prototypes => Path.Combine(Root, "prototypes.npz");
    public string PrototypeReport => Path.Combine(Root, "prototypes-report.json");
    public string Settings => Path.Combine(Root, "settings.json");
    public string Metrics => Path.Combine(Root, "metrics.json");
    public string Report => Path.Combine(Root, "report.html");
    public string Manifest => Path.Combine(Root, "manifest.json");

    public string Features(string name) => InFolder("features", name + ".npz");
    public string Maps(string method, string name) => InFolder(method, name + ".npz");
    public string Irn(string method, string name) => InFolder(Path.Combine("irn", method), name + ".npy");
    public string Seed(string name) => InFolder("seeds", name + ".png");
    public string Overlay(string name) => InFolder("overlays", name + ".png");
    public string Thumb(string name) => InFolder("thumbs", name);

    private string InFolder(string folder, string file)
    {
        string dir = Path.Combine(Root, folder);
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, file);
    }

    /// <summary>Writes bytes atomically (temporary file in the same folder, then a rename).</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        string tmp = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static void WriteJson<T>(string path, T value) =>
        WriteAtomic(path, JsonSerializer.SerializeToUtf8Bytes(value, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));

    /// <summary>
    /// Records the run's settings on first use; a later run in the same folder with other settings is refused, because
    /// resuming would mix results of two settings.
    /// </summary>
    public void CheckSettings(IReadOnlyDictionary<string, string> identity)
    {
        if (File.Exists(Settings))
        {
            var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Settings)) ?? new();
            var differ = identity.Where(kv => !saved.TryGetValue(kv.Key, out var v) || v != kv.Value).Select(kv => $"{kv.Key}: {(saved.TryGetValue(kv.Key, out var v) ? v : "unset")} -> {kv.Value}").ToList();
            if (differ.Count > 0)
                throw new CliException($"{Root} holds a run with other settings ({string.Join("; ", differ)}); use another --out or delete it.");
            return;
        }
        WriteJson(Settings, identity);
    }
}
