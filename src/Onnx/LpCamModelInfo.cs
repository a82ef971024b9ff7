using System.IO.Compression;
using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Reads what this library's components stored in their compiled ONNX graphs (component, format version, class names,
/// K, thresholds, backbone...) back from a model zip written by <c>mlContext.Model.Save</c>: after loading, the
/// transformers are ML.NET's own <c>OnnxTransformer</c>, which does not expose its model's metadata.
/// </summary>
public static class LpCamModelInfo
{
    /// <summary>Metadata key naming the component that compiled the graph.</summary>
    public const string ComponentKey = "lpcam.component";

    /// <summary>Metadata key of the format version of the compiled graph.</summary>
    public const string FormatVersionKey = "lpcam.format_version";

    /// <summary>The current format version.</summary>
    public const string FormatVersion = "1";

    /// <summary>
    /// The metadata of every LpCam.MLNet graph in the zip, in pipeline order; each dictionary holds the ONNX model's
    /// metadata_props (entries of other ONNX models in the zip are skipped).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a zip.</exception>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string modelZipPath)
    {
        if (!File.Exists(modelZipPath)) throw new FileNotFoundException($"Model file not found: '{modelZipPath}'.", modelZipPath);
        using var zip = ZipFile.OpenRead(modelZipPath);
        var result = new List<IReadOnlyDictionary<string, string>>();
        foreach (var entry in zip.Entries.Where(e => e.Name == "OnnxModel").OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var model = ParseModel(buffer.ToArray());
            if (model is null) continue;
            var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
            if (props.ContainsKey(ComponentKey)) result.Add(props);
        }
        return result;
    }

    /// <summary>
    /// The CAM classifier head stored by a CamFeaturizer in a saved model zip (to fit prototypes on a reloaded featurizer).
    /// </summary>
    /// <exception cref="InvalidDataException">The zip holds no CamFeaturizer graph.</exception>
    public static Engine.Classifier.ClassifierHead ReadClassifierHead(string modelZipPath)
    {
        var cam = Read(modelZipPath).FirstOrDefault(m => m[ComponentKey] == "CamFeaturizer")
            ?? throw new InvalidDataException($"Model '{modelZipPath}' holds no CamFeaturizer graph.");
        var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(cam["lpcam.head_weights"])).ToArray();
        int classes = cam["lpcam.class_names"].Split('\n').Length;
        return new Engine.Classifier.ClassifierHead(classes, weights.Length / classes, weights) { SourceName = modelZipPath };
    }

    /// <summary>The metadata of an ONNX model held in memory.</summary>
    public static IReadOnlyDictionary<string, string> ReadOnnx(byte[] onnxModel) =>
        ModelProto.Parser.ParseFrom(onnxModel).MetadataProps.ToDictionary(p => p.Key, p => p.Value);

    private static ModelProto? ParseModel(byte[] entry)
    {
        // ML.NET writes the ONNX bytes behind a length prefix; accept a 4- or 8-byte prefix, or none.
        foreach (int skip in new[] { 4, 8, 0 })
        {
            if (entry.Length < skip) continue;
            try
            {
                var model = ModelProto.Parser.ParseFrom(entry.AsSpan(skip).ToArray());
                if (model.Graph is not null) return model;
            }
            catch (Google.Protobuf.InvalidProtocolBufferException)
            {
            }
        }
        return null;
    }
}
