using System.IO.Compression;
using LpCam.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>Small model zips for the bad-input corpus: two SeedMask graphs fitted on generated maps (no backbone, a few KB).</summary>
internal static class ModelZipFiles
{
    private sealed class Row
    {
        [VectorType(1, 2, 4, 4)]
        public float[] Maps { get; set; } = new float[32];

        [VectorType(2)]
        public float[] Label { get; set; } = { 1, 0 };
    }

    /// <summary>Saves a pipeline of two SeedMask components (thresholds 0.3 and 0.6) to <paramref name="path"/>.</summary>
    public static void WriteTwoComponents(string path)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        var model = ml.LpCam().SeedMasks("SeedA", "Maps", threshold: 0.3f)
            .Append(ml.LpCam().SeedMasks("SeedB", "Maps", threshold: 0.6f))
            .Fit(data);
        ml.Model.Save(model, data.Schema, path);
    }

    /// <summary>Saves an ML.NET pipeline with no LpCam.MLNet component.</summary>
    public static void WriteForeign(string path)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        var model = ml.Transforms.CopyColumns("Copy", "Label").Fit(data);
        ml.Model.Save(model, data.Schema, path);
    }

    /// <summary>The OnnxModel entry names of a zip, in order.</summary>
    public static List<string> OnnxEntries(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Where(e => e.Name == "OnnxModel").Select(e => e.FullName).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>A copy of <paramref name="source"/> with <paramref name="entry"/>'s bytes replaced.</summary>
    public static void Rewrite(string source, string target, string entry, Func<byte[], byte[]> change)
    {
        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(target, ZipArchiveMode.Create);
        foreach (var e in input.Entries)
        {
            using var read = e.Open();
            using var buffer = new MemoryStream();
            read.CopyTo(buffer);
            var bytes = e.FullName == entry ? change(buffer.ToArray()) : buffer.ToArray();
            using var write = output.CreateEntry(e.FullName).Open();
            write.Write(bytes);
        }
    }

    /// <summary>The ONNX model of an OnnxModel entry (after its 4-byte length prefix).</summary>
    public static global::Onnx.ModelProto Model(byte[] entry) => global::Onnx.ModelProto.Parser.ParseFrom(entry, 4, entry.Length - 4);

    /// <summary>An OnnxModel entry holding <paramref name="model"/>, prefix and all.</summary>
    public static byte[] Entry(global::Onnx.ModelProto model)
    {
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(model);
        return BitConverter.GetBytes(bytes.Length).Concat(bytes).ToArray();
    }
}
