using System.Globalization;
using LpCam.MLNet.Engine.Classifier;

namespace LpCam.MLNet.Backbones;

/// <summary>
/// The classifier head a fine-tuned backbone was trained with, kept in the ONNX file's metadata (not in the graph, which
/// ends at the feature map): <c>lpcam.backbone.head_shape</c> = "C,D" and <c>lpcam.backbone.head</c> = the C x D
/// row-major float32 weights, little-endian, base64.
/// </summary>
public static class BackboneHeadMetadata
{
    /// <summary>Metadata key of the weights.</summary>
    public const string WeightsKey = "lpcam.backbone.head";

    /// <summary>Metadata key of the shape "C,D".</summary>
    public const string ShapeKey = "lpcam.backbone.head_shape";

    /// <summary>The two metadata entries of <paramref name="head"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Entries(ClassifierHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        yield return new(ShapeKey, string.Create(CultureInfo.InvariantCulture, $"{head.ClassCount},{head.FeatureDim}"));
        yield return new(WeightsKey, Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(head.Weights.AsSpan())));
    }

    /// <summary>The head stored in <paramref name="metadata"/>, or null when there is none.</summary>
    /// <param name="metadata">The model's metadata.</param>
    /// <param name="file">The file, named in messages.</param>
    /// <exception cref="InvalidDataException">The entries are present but malformed (the message names the file and key).</exception>
    public static ClassifierHead? Read(IReadOnlyDictionary<string, string> metadata, string file)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(WeightsKey, out var weightsText)) return null;
        if (!metadata.TryGetValue(ShapeKey, out var shapeText))
            throw new InvalidDataException($"'{file}' has metadata '{WeightsKey}' without '{ShapeKey}'.");
        var parts = shapeText.Split(',');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int c) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int d) || c < 1 || d < 1)
            throw new InvalidDataException($"'{file}' has metadata '{ShapeKey}' = '{shapeText}'; expected \"C,D\" with positive whole numbers.");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(weightsText);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"'{file}' has metadata '{WeightsKey}' that is not base64: {e.Message}", e);
        }
        if (bytes.Length != 4L * c * d)
            throw new InvalidDataException($"'{file}' has metadata '{WeightsKey}' of {bytes.Length} bytes; '{ShapeKey}' = {c},{d} needs {4L * c * d}.");
        var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        try
        {
            return new ClassifierHead(c, d, weights) { SourceName = WeightsKey };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{file}' has metadata '{WeightsKey}' that is not a usable head: {e.Message}", e);
        }
    }
}
