using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Reads what this library's components stored in their compiled ONNX graphs (component, format version, class names,
/// K, thresholds, backbone...) back from a model zip written by <c>mlContext.Model.Save</c>: after loading, the
/// transformers are ML.NET's own <c>OnnxTransformer</c>, which does not expose its model's metadata.
/// </summary>
/// <remarks>
/// The reader is strict: a zip is read whole or refused, never partly. Every ONNX entry ML.NET wrote
/// (<c>Transform_NNN/OnnxModel</c>: a 4-byte little-endian length, then exactly that many bytes of ONNX) must have a
/// matching length and parse; a damaged entry, a file that is empty or not a zip, a zip with no LpCam.MLNet component, a
/// component graph without <see cref="FormatVersionKey"/> or with an unknown format version are all
/// <see cref="InvalidDataException"/>s whose message names the zip file (and the entry or key). ONNX graphs of other
/// origin in the same zip (a user's own <c>ApplyOnnxModel</c>) are checked the same way but not returned.
/// </remarks>
public static class LpCamModelInfo
{
    /// <summary>Metadata key naming the component that compiled the graph.</summary>
    public const string ComponentKey = "lpcam.component";

    /// <summary>Metadata key of the format version of the compiled graph.</summary>
    public const string FormatVersionKey = "lpcam.format_version";

    /// <summary>The current format version.</summary>
    public const string FormatVersion = "2";

    /// <summary>Metadata key of CamFeaturizer's feature layout (<see cref="Estimators.FeatureColumnLayout"/>): its scales and flip.</summary>
    public const string LayoutKey = "lpcam.layout";

    /// <summary>
    /// The metadata of every LpCam.MLNet graph in the zip, in pipeline order; each dictionary holds the ONNX model's
    /// metadata_props.
    /// </summary>
    /// <param name="modelZipPath">A zip written by <c>mlContext.Model.Save</c>.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is empty or not a zip, an entry is damaged or truncated, an ONNX
    /// entry does not parse, the zip holds no LpCam.MLNet component, or a component lacks its format version; the message
    /// names the file.</exception>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Read(string modelZipPath)
    {
        var entries = ModelZipEntries.Read(modelZipPath);
        var result = new List<IReadOnlyDictionary<string, string>>();
        foreach (var (entry, model) in entries)
        {
            var props = OnnxGraphEdits.Metadata(model);
            if (!props.ContainsKey(ComponentKey)) continue;
            CheckVersion(props, $"Model '{modelZipPath}': entry '{entry}'");
            result.Add(props);
        }
        if (result.Count == 0)
            throw new InvalidDataException(entries.Count == 0
                ? $"Model '{modelZipPath}' holds no ONNX model entry ('{ModelZipEntries.OnnxEntryName}'), so no LpCam.MLNet component; expected a zip saved by mlContext.Model.Save from a pipeline with CamFeaturizer, LocalPrototypes or SeedMasks."
                : $"Model '{modelZipPath}' holds {entries.Count} ONNX model(s) but none has the '{ComponentKey}' metadata of an LpCam.MLNet component.");
        return result;
    }

    /// <summary>
    /// The CAM classifier head stored by a CamFeaturizer in a saved model zip (to fit prototypes on a reloaded featurizer).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Everything <see cref="Read"/> refuses; the zip holds no CamFeaturizer graph;
    /// or its head metadata is missing or inconsistent. The message names the file and the key.</exception>
    public static Engine.Classifier.ClassifierHead ReadClassifierHead(string modelZipPath)
    {
        var (cam, where) = Component(Read(modelZipPath), modelZipPath, "CamFeaturizer");
        return Head(cam, where, modelZipPath);
    }

    private static Engine.Classifier.ClassifierHead Head(IReadOnlyDictionary<string, string> cam, string where, string modelZipPath)
    {
        var names = Required(cam, "lpcam.class_names", where).Split('\n');
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(Required(cam, "lpcam.head_weights", where));
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{where} has metadata 'lpcam.head_weights' that is not base64: {e.Message}", e);
        }
        int classes = names.Length;
        if (bytes.Length == 0 || bytes.Length % (4 * classes) != 0)
            throw new InvalidDataException($"{where} has {bytes.Length} bytes of head weights, not a whole number of float rows for its {classes} classes.");
        var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        if (Array.FindIndex(weights, w => !float.IsFinite(w)) is int bad and >= 0)
            throw new InvalidDataException($"{where} has a non-finite head weight ({weights[bad]}) at index {bad}.");
        return new Engine.Classifier.ClassifierHead(classes, weights.Length / classes, weights) { SourceName = modelZipPath };
    }

    /// <summary>
    /// The scales and flip of the CamFeaturizer in a saved model zip: what <see cref="Estimators.LocalPrototypeEstimator.Options.Layout"/>
    /// needs to fit prototypes on a reloaded featurizer.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Everything <see cref="Read"/> refuses; the zip holds no CamFeaturizer graph,
    /// or its layout metadata is missing or malformed. The message names the file and the key.</exception>
    public static Estimators.FeatureColumnLayout ReadFeatureLayout(string modelZipPath)
    {
        var (cam, where) = Component(Read(modelZipPath), modelZipPath, "CamFeaturizer");
        return Layout(cam, where);
    }

    private static Estimators.FeatureColumnLayout Layout(IReadOnlyDictionary<string, string> cam, string where)
    {
        try
        {
            return Estimators.FeatureColumnLayout.Parse(Required(cam, LayoutKey, where));
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{where} has metadata '{LayoutKey}' that is malformed: {e.Message}", e);
        }
    }

    /// <summary>Metadata key of LocalPrototypes' prototypes: a deflated prototype archive (docs/interchange.md), base64.</summary>
    public const string PrototypesKey = "lpcam.prototypes";

    /// <summary>The class and context prototypes of the LocalPrototypes component in a saved model zip.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Everything <see cref="Read"/> refuses; the zip holds no LocalPrototypes graph,
    /// or its prototypes are missing or damaged. The message names the file and the key.</exception>
    public static Engine.Prototypes.PrototypeSet ReadPrototypes(string modelZipPath)
    {
        var (lp, where) = Component(Read(modelZipPath), modelZipPath, "LocalPrototypes");
        return Prototypes(lp, where);
    }

    private static Engine.Prototypes.PrototypeSet Prototypes(IReadOnlyDictionary<string, string> lp, string where)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(Required(lp, PrototypesKey, where));
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{where} has metadata '{PrototypesKey}' that is not base64: {e.Message}", e);
        }
        return Engine.Interop.PrototypeNpz.FromBytes(bytes, $"{where}, metadata '{PrototypesKey}'");
    }

    /// <summary>
    /// Everything a user inspects in a saved model zip, typed: the components, class names, backbone, scales and flip,
    /// canvas, head weights, prototypes, K, tau, mu_f, mu_b, the seed thresholds and the format version. Components the
    /// pipeline does not hold are null.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Everything <see cref="Read"/> refuses (a damaged zip is never read in part), or
    /// a component's metadata is missing or malformed; the message names the file and the key.</exception>
    public static LpCamModelContents ReadContents(string modelZipPath)
    {
        var all = Read(modelZipPath);
        IReadOnlyDictionary<string, string>? Find(string component) => all.FirstOrDefault(m => m[ComponentKey] == component);
        string Where(string component) => $"Model '{modelZipPath}': the {component} graph";
        var cam = Find("CamFeaturizer");
        var lp = Find("LocalPrototypes");
        double Number(IReadOnlyDictionary<string, string> props, string key, string where) =>
            double.TryParse(Required(props, key, where), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
                ? v : throw new InvalidDataException($"{where} has metadata '{key}' = '{props[key]}'; expected a number.");
        var names = (cam ?? lp) is { } named ? Required(named, "lpcam.class_names", Where(named[ComponentKey])).Split('\n') : null;
        return new LpCamModelContents
        {
            Components = all.Select(m => m[ComponentKey]).ToList(),
            FormatVersion = FormatVersion,
            ClassNames = names,
            Backbone = cam is null ? null : Required(cam, "lpcam.backbone", Where("CamFeaturizer")),
            Layout = cam is null ? null : Layout(cam, Where("CamFeaturizer")),
            Head = cam is null ? null : Head(cam, Where("CamFeaturizer"), modelZipPath),
            Prototypes = lp is null ? null : Prototypes(lp, Where("LocalPrototypes")),
            Clusters = lp is null ? null : (int)Number(lp, "lpcam.k", Where("LocalPrototypes")),
            Tau = lp is null ? null : Number(lp, "lpcam.tau", Where("LocalPrototypes")),
            ClassThreshold = lp is null ? null : Number(lp, "lpcam.mu_f", Where("LocalPrototypes")),
            ContextThreshold = lp is null ? null : Number(lp, "lpcam.mu_b", Where("LocalPrototypes")),
            SeedThresholds = all.Where(m => m[ComponentKey] == "SeedMask").Select(m => Number(m, "lpcam.threshold", Where("SeedMask"))).ToList(),
        };
    }

    private static (IReadOnlyDictionary<string, string> Props, string Where) Component(IReadOnlyList<IReadOnlyDictionary<string, string>> all, string path, string component) =>
        (all.FirstOrDefault(m => m[ComponentKey] == component) ?? throw new InvalidDataException($"Model '{path}' holds no {component} graph."),
            $"Model '{path}': the {component} graph");

    /// <summary>The metadata of an ONNX model held in memory.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a parseable ONNX model.</exception>
    public static IReadOnlyDictionary<string, string> ReadOnnx(byte[] onnxModel)
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        try
        {
            return OnnxGraphEdits.Metadata(ModelProto.Parser.ParseFrom(onnxModel));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"The {onnxModel.Length} bytes are not a parseable ONNX model: {e.Message}", e);
        }
    }

    private static void CheckVersion(IReadOnlyDictionary<string, string> props, string where)
    {
        var version = Required(props, FormatVersionKey, where);
        if (version != FormatVersion)
            throw new InvalidDataException(
                $"{where} ({props[ComponentKey]}) has format version '{version}'; this LpCam.MLNet reads format version {FormatVersion}.");
    }

    private static string Required(IReadOnlyDictionary<string, string> props, string key, string where) =>
        props.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{where} lacks the metadata key '{key}' (damaged or not written by LpCam.MLNet).");
}
