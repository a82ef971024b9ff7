using System.Buffers.Binary;
using System.IO.Compression;
using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Reads the ONNX models of an ML.NET model zip strictly. ML.NET's <c>OnnxTransformer</c> saves its model as the zip entry
/// <c>.../OnnxModel</c> written by <c>ctx.SaveBinaryStream("OnnxModel", w =&gt; w.WriteByteArray(bytes))</c>: a 4-byte
/// little-endian length followed by exactly that many bytes of ONNX protobuf. Anything else (an entry whose length prefix
/// does not match its size, a protobuf that does not parse, a zip entry that fails its CRC) is an error naming the zip and
/// the entry; nothing is skipped or guessed.
/// </summary>
internal static class ModelZipEntries
{
    /// <summary>The name of the entry ML.NET writes for an <c>OnnxTransformer</c>.</summary>
    public const string OnnxEntryName = "OnnxModel";

    /// <summary>Every <c>OnnxModel</c> entry of the zip, in ordinal entry-name order (pipeline order), parsed.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Empty file, not a zip, a damaged entry or an unparseable ONNX model; the
    /// message names the file (and the entry).</exception>
    public static IReadOnlyList<(string Entry, ModelProto Model)> Read(string zipPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(zipPath);
        if (!File.Exists(zipPath)) throw new FileNotFoundException($"Model file not found: '{zipPath}'.", zipPath);
        if (new FileInfo(zipPath).Length == 0)
            throw new InvalidDataException($"Model '{zipPath}' is an empty file (0 bytes); expected an ML.NET model zip written by mlContext.Model.Save.");
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(zipPath);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Model '{zipPath}' is not a readable zip file (truncated, damaged or another format): {e.Message}", e);
        }
        using (zip)
        {
            var result = new List<(string, ModelProto)>();
            foreach (var entry in zip.Entries.Where(e => e.Name == OnnxEntryName).OrderBy(e => e.FullName, StringComparer.Ordinal))
                result.Add((entry.FullName, Parse(zipPath, entry.FullName, ReadEntry(zipPath, entry))));
            return result;
        }
    }

    /// <summary>The ONNX model inside the bytes of one <c>OnnxModel</c> entry (length prefix checked exactly).</summary>
    /// <exception cref="InvalidDataException">Truncated, padded or unparseable; the message names the zip and entry.</exception>
    public static ModelProto Parse(string zipPath, string entryName, byte[] entry)
    {
        if (entry.Length < 4)
            throw new InvalidDataException($"Model '{zipPath}': entry '{entryName}' is truncated: {entry.Length} bytes, shorter than its 4-byte length prefix.");
        int length = BinaryPrimitives.ReadInt32LittleEndian(entry);
        if (length < 0 || length != entry.Length - 4)
            throw new InvalidDataException(
                $"Model '{zipPath}': entry '{entryName}' is damaged or truncated: its length prefix announces {length} bytes of ONNX model but {entry.Length - 4} follow.");
        if (length == 0)
            throw new InvalidDataException($"Model '{zipPath}': entry '{entryName}' holds an empty ONNX model (0 bytes).");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(entry, 4, length);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"Model '{zipPath}': entry '{entryName}' does not hold a parseable ONNX model: {e.Message}", e);
        }
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new InvalidDataException($"Model '{zipPath}': entry '{entryName}' parses but holds no ONNX graph (damaged model).");
        return model;
    }

    private static byte[] ReadEntry(string zipPath, ZipArchiveEntry entry)
    {
        try
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            if (buffer.Length != entry.Length)
                throw new InvalidDataException($"{buffer.Length} bytes decompressed where the zip directory announces {entry.Length}.");
            return buffer.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException)
        {
            throw new InvalidDataException($"Model '{zipPath}': zip entry '{entry.FullName}' is damaged: {e.Message}", e);
        }
    }
}
