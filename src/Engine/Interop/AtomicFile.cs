namespace LpCam.MLNet.Engine.Interop;

/// <summary>
/// Writes a file so that readers see either the old file or the whole new one, never a part: the one atomic-write helper of
/// the library and the CLI (every .npy, .npz, PNG, JSON and ONNX file they write goes through it).
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes to <c>path + ".tmp-&lt;guid&gt;"</c> in the same folder, flushes it to disk and moves it over
    /// <paramref name="path"/>; the temporary file is deleted when writing fails.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // the original failure matters more
            }
            catch (UnauthorizedAccessException)
            {
                // the original failure matters more
            }
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically (see <see cref="Write"/>).</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, stream => stream.Write(bytes));
    }
}
