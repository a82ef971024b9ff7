using System.Text.Json;
using LpCam.MLNet.Engine.Interop;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The --out folder of a run: where each step writes, and the settings it was made with. One process at a time holds
/// it (a lock file). Every file is written to a temporary name and moved into place, so a killed run leaves only whole
/// files; a re-run reuses a file only after reading it back whole (<see cref="TryReuse{T}"/>), so a damaged one is
/// made again with a warning naming it.
/// </summary>
internal sealed class RunFolder : IDisposable
{
    private const string LockFileName = ".lock";
    private readonly FileStream _lock;

    private RunFolder(string root, FileStream folderLock)
    {
        Root = root;
        _lock = folderLock;
    }

    /// <summary>
    /// Creates or opens the folder and locks it for this process; a folder another process holds is refused. Temporary
    /// files of a killed run are removed only once the lock is held, so they can never be a running process's files.
    /// </summary>
    public static RunFolder Open(string root)
    {
        root = Path.GetFullPath(root);
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"option --out: cannot create the folder '{root}': {e.Message}");
        }
        FileStream folderLock;
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Linux and macOS, a share-mode lock on Windows; the
            // system releases it when the process ends, however it ends.
            folderLock = new FileStream(Path.Combine(root, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new CliException($"'{root}' is in use by another lpcam process; wait until it ends, or use another --out.");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException($"option --out: cannot write in '{root}': {e.Message}");
        }
        foreach (var stale in Directory.EnumerateFiles(root, "*.tmp-*", SearchOption.AllDirectories)) File.Delete(stale);
        return new RunFolder(root, folderLock);
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

    /// <summary>Writes <paramref name="value"/> as indented JSON, atomically.</summary>
    public static void WriteJson<T>(string path, T value) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(value, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));

    /// <summary>
    /// Reads a file an earlier run made, to reuse it. False when it is missing; when it cannot be read whole (truncated,
    /// damaged, wrong content) it is deleted with a warning naming it, and false tells the caller to make it again.
    /// </summary>
    public static bool TryReuse<T>(string path, Func<string, T> read, out T value)
    {
        value = default!;
        if (!File.Exists(path)) return false;
        try
        {
            value = read(path);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string why = CliErrors.FirstLine(e.Message);
            Console.WriteLine(why.Contains(path, StringComparison.Ordinal) ? $"warning: a damaged file is made again: {why}" : $"warning: {path} is damaged ({why}); making it again.");
            File.Delete(path);
            return false;
        }
    }

    /// <summary><see cref="TryReuse{T}"/> without the value: whether the file exists and reads back whole.</summary>
    public static bool IsReusable<T>(string path, Func<string, T> read) => TryReuse(path, read, out _);

    /// <summary>
    /// Records the run's settings on first use; a later run in the same folder with other settings is refused, because
    /// resuming would mix results of two settings. A folder that holds results but no readable settings record is
    /// refused too: nothing says which settings made them.
    /// </summary>
    public void CheckSettings(IReadOnlyDictionary<string, string> identity)
    {
        if (File.Exists(Settings))
        {
            Dictionary<string, string> saved;
            try
            {
                saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Settings)) ?? throw new JsonException("it is null");
            }
            catch (JsonException e)
            {
                throw new CliException($"{Settings} is damaged ({CliErrors.FirstLine(e.Message)}), so the settings of the results in {Root} are unknown; use another --out or delete it.");
            }
            var differ = identity.Where(kv => !saved.TryGetValue(kv.Key, out var v) || v != kv.Value).Select(kv => $"{kv.Key}: {(saved.TryGetValue(kv.Key, out var v) ? v : "unset")} -> {kv.Value}").ToList();
            if (differ.Count > 0)
                throw new CliException($"{Root} holds a run with other settings ({string.Join("; ", differ)}); use another --out or delete it.");
            return;
        }
        if (HoldsResults())
            throw new CliException($"{Root} holds results but no {Path.GetFileName(Settings)}, so the settings that made them are unknown; use another --out or delete it.");
        WriteJson(Settings, identity);
    }

    /// <summary>
    /// Makes a folder of outputs agree with the settings that shape them (for example the seed threshold): when the
    /// record in the folder differs, or is missing while outputs exist, the outputs are deleted with a line saying why,
    /// so the step makes them again; then the new settings are recorded.
    /// </summary>
    public void MatchOutputs(string folder, IReadOnlyDictionary<string, string> settings)
    {
        string dir = Path.Combine(Root, folder), record = Path.Combine(dir, ".settings.json");
        Directory.CreateDirectory(dir);
        Dictionary<string, string>? saved = null;
        try
        {
            if (File.Exists(record)) saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(record));
        }
        catch (JsonException)
        {
            saved = null;
        }
        bool same = saved is not null && saved.Count == settings.Count && settings.All(kv => saved.TryGetValue(kv.Key, out var v) && v == kv.Value);
        if (same) return;
        var outputs = Directory.EnumerateFiles(dir).Where(f => f != record).ToList();
        if (outputs.Count > 0)
        {
            string was = saved is null ? "unrecorded settings" : string.Join(", ", saved.Select(kv => $"{kv.Key} {kv.Value}"));
            Console.WriteLine($"{folder}: the {outputs.Count} files in {dir} were made with {was}; making them again with {string.Join(", ", settings.Select(kv => $"{kv.Key} {kv.Value}"))}.");
            foreach (var f in outputs) File.Delete(f);
        }
        WriteJson(record, settings);
    }

    private bool HoldsResults() =>
        File.Exists(Head) || File.Exists(Prototypes) || File.Exists(Metrics)
        || new[] { "features", "cam", "lpcam", "lpcam_f", "seeds" }.Any(d => Directory.Exists(Path.Combine(Root, d)) && Directory.EnumerateFileSystemEntries(Path.Combine(Root, d)).Any());

    public void Dispose() => _lock.Dispose();
}
