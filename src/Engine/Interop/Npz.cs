using System.IO.Compression;

namespace LpCam.MLNet.Engine.Interop;

/// <summary>
/// Reads and writes numpy's <c>.npz</c> archives: a zip file with one <c>.npy</c> entry per named array (entry
/// <c>name.npy</c>), as <c>np.savez</c> (stored) and <c>np.savez_compressed</c> (deflated) write them and <c>np.load</c>
/// reads them.
/// </summary>
public static class Npz
{
    /// <summary>The time stamp of every entry: the zip format's earliest (1980-01-01), so the same arrays give the same bytes.</summary>
    private static readonly DateTimeOffset FixedEntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the named arrays to <paramref name="path"/> atomically (a temporary file in the same folder, then a move).</summary>
    /// <param name="path">The archive to create or replace.</param>
    /// <param name="arrays">Names (non-empty, unique; numpy's key) and arrays, written in this order.</param>
    /// <param name="compress">Deflate the entries (<c>np.savez_compressed</c>); false stores them (<c>np.savez</c>).</param>
    /// <exception cref="ArgumentException">An empty, null or repeated name, or a null array.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress = false)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, array) in list)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("An array name is null or empty.", nameof(arrays));
            if (!seen.Add(name))
                throw new ArgumentException($"The array name '{name}' appears twice.", nameof(arrays));
            if (array is null)
                throw new ArgumentException($"The array '{name}' is null.", nameof(arrays));
        }
        AtomicFile.Write(path, stream => WriteTo(stream, list, compress));
    }

    /// <summary>The archive of the named arrays as bytes (the same bytes <see cref="Write"/> puts in a file).</summary>
    internal static byte[] ToBytes(IEnumerable<KeyValuePair<string, NpyArray>> arrays, bool compress)
    {
        using var stream = new MemoryStream();
        WriteTo(stream, arrays.ToList(), compress);
        return stream.ToArray();
    }

    private static void WriteTo(Stream stream, IReadOnlyList<KeyValuePair<string, NpyArray>> list, bool compress)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, array) in list)
        {
            var entry = zip.CreateEntry(name + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            entry.LastWriteTime = FixedEntryTime;
            using var entryStream = entry.Open();
            Npy.Write(entryStream, array);
        }
    }

    /// <summary>Reads every array of an archive, keyed by name (the entry name without <c>.npy</c>), in archive order.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip archive, an entry is not named <c>*.npy</c>, or an entry
    /// is not a readable <c>.npy</c> array; the message names the file (and the entry).</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path) => Read(path, null);

    /// <summary>
    /// Reads the arrays of an archive whose names are in <paramref name="names"/> (every array when null), keyed by name,
    /// in archive order; the other entries are skipped without being decompressed or parsed.
    /// </summary>
    /// <param name="path">The archive.</param>
    /// <param name="names">The array names to read; names the archive lacks are simply absent from the result.</param>
    /// <exception cref="InvalidDataException">The file is not a zip archive, an entry is not named <c>*.npy</c>, or a read
    /// entry is not a readable <c>.npy</c> array; the message names the file (and the entry).</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path, IReadOnlySet<string>? names)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path, names);
    }

    /// <summary>
    /// Reads the float32 array <paramref name="name"/> of an archive into <paramref name="buffer"/>, which is replaced by a
    /// larger array only when too small (<see cref="Npy.ReadFloat32"/>): reading many archives through one buffer leaves no
    /// garbage per array. The other entries are skipped unread.
    /// </summary>
    /// <param name="path">The archive.</param>
    /// <param name="name">The array's name.</param>
    /// <param name="buffer">The buffer to fill (and grow); the values are its first (product of the shape) elements.</param>
    /// <returns>The array's shape.</returns>
    /// <exception cref="InvalidDataException">The file is not a zip archive of <c>.npy</c> entries, has no array
    /// <paramref name="name"/>, or that array is not a readable float32 array; the message names the file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static int[] ReadFloat32(string path, string name, ref float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(name);
        int[]? shape = null;
        var values = buffer;
        ForEachEntry(path, entryName => entryName == name, (_, entry, source) =>
        {
            shape = Npy.ReadFloat32(entry, source, ref values);
            return false;
        });
        buffer = values;
        return shape ?? throw new InvalidDataException($"'{path}' has no array '{name}'.");
    }

    /// <summary>
    /// Opens every <c>.npy</c> entry whose array name passes <paramref name="wanted"/>, in archive order, and hands it to
    /// <paramref name="read"/> (name, entry stream, source name for messages), which returns false to stop.
    /// </summary>
    private static void ForEachEntry(string path, Func<string, bool> wanted, Func<string, Stream, string, bool> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        ForEachEntry(stream, path, wanted, read);
    }

    /// <summary>Reads the arrays named in <paramref name="names"/> (every array when null) of an archive held in a stream;
    /// <paramref name="path"/> names it in error messages.</summary>
    internal static IReadOnlyDictionary<string, NpyArray> Read(Stream stream, string path, IReadOnlySet<string>? names = null)
    {
        var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        ForEachEntry(stream, path, name => names is null || names.Contains(name), (name, entry, source) =>
        {
            arrays[name] = Npy.Read(entry, source);
            return true;
        });
        return arrays;
    }

    private static void ForEachEntry(Stream stream, string path, Func<string, bool> wanted, Func<string, Stream, string, bool> read)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable .npz archive: {e.Message}", e);
        }
        using (zip)
        {
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/'))
                    continue;
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                    throw new InvalidDataException($"'{path}' holds the entry '{entry.FullName}'; expected only .npy entries.");
                string name = entry.FullName[..^".npy".Length];
                if (!wanted(name))
                    continue;
                using var entryStream = entry.Open();
                if (!read(name, entryStream, $"{path}:{entry.FullName}"))
                    return;
            }
        }
    }
}
