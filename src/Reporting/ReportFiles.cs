using System.Text;
using LpCam.MLNet.Engine.Interop;

namespace LpCam.MLNet.Reporting;

/// <summary>Atomic writes for report files: readers see the old file or the whole new one, never a part.</summary>
public static class ReportFiles
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through a temporary file in the same folder,
    /// creating the folder when missing.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EnsureFolder(path);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark, atomically (see <see cref="WriteAllBytes"/>).</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));
    }

    private static void EnsureFolder(string path)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
    }
}
