using LpCam.MLNet.Onnx;
using LpCam.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace LpCam.MLNet.Estimators;

/// <summary>
/// Turns class maps (CAM, LPCAM) into seed masks: a constant background plane at the threshold stacked with the maps of
/// the image's classes, argmax, ties to background (algorithm doc, section 4).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ###  Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | No (Fit reads only the schema) |
/// | Input column data type | Maps: vector of <xref:System.Single> [1, C, h, w] with their size in a MapSize column [2] (CamFeaturizer's), or a known-size vector with dimensions [.., C, h, w]; labels and/or scores: known-size vectors of <xref:System.Single> [C] |
/// | Output column data type | Vector of <xref:System.Byte> [1, h, w]: 0 = background, c + 1 = class c |
/// | Required NuGet in addition to Microsoft.ML | LpCam.MLNet (Microsoft.ML.OnnxTransformer, ONNX Runtime) |
/// | Exportable to ONNX | Yes: it is an ONNX graph |
///
/// The classes (<see cref="Options.Classes"/>) are the image's labels (multi-hot, above 0.5), the classes whose score is
/// above <see cref="Options.ScoreThreshold"/> (images without labels), or the labels when the row has any and the predicted
/// classes otherwise. Maps of the other classes are ignored. The seeds have the maps' size (stride 4 of the original
/// image after CamFeaturizer); <see cref="Evaluation.StrideFourMaps.SeedsToImageSize"/> brings them to the image size.
/// The fitted transformer is an ONNX graph run by ML.NET's OnnxTransformer, so it saves and loads with the ML.NET model zip.
/// ]]></format>
/// </remarks>
public sealed class SeedMaskEstimator : OnnxCompiledEstimator<SeedMaskTransformer>
{
    /// <summary>Default values of <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>The seed-mask column.</summary>
        public const string OutputColumnName = "SeedMask";
        /// <summary>The maps column.</summary>
        public const string MapsColumnName = LocalPrototypeEstimator.Defaults.OutputColumnName;
        /// <summary>The map-size column.</summary>
        public const string MapSizeColumnName = CamFeaturizerEstimator.Defaults.MapSizeColumnName;
        /// <summary>The label column.</summary>
        public const string LabelColumnName = CamFeaturizerEstimator.Defaults.LabelColumnName;
        /// <summary>The score column.</summary>
        public const string ScoresColumnName = CamFeaturizerEstimator.Defaults.ScoresColumnName;
        /// <summary>The paper's background threshold for LPCAM seeds.</summary>
        public const float Threshold = 0.3f;
        /// <summary>Score above which a class counts as predicted.</summary>
        public const float ScoreThreshold = 0.5f;
        /// <summary>Seeds for the image's labels.</summary>
        public const SeedClasses Classes = SeedClasses.Labels;
    }

    /// <summary>Options of <see cref="SeedMaskEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The seed-mask column to create.</summary>
        public string OutputColumnName { get; set; } = Defaults.OutputColumnName;
        /// <summary>The maps column [1, C, h, w].</summary>
        public string MapsColumnName { get; set; } = Defaults.MapsColumnName;
        /// <summary>The map-size column [2]; when the schema has no such column the maps must be a known-size [.., C, h, w] vector.</summary>
        public string MapSizeColumnName { get; set; } = Defaults.MapSizeColumnName;
        /// <summary>The multi-hot labels [C] (read unless <see cref="Classes"/> is <see cref="SeedClasses.Predicted"/>).</summary>
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;
        /// <summary>The class scores [C] (read unless <see cref="Classes"/> is <see cref="SeedClasses.Labels"/>).</summary>
        public string ScoresColumnName { get; set; } = Defaults.ScoresColumnName;
        /// <summary>Which classes each seed mask is made for.</summary>
        public SeedClasses Classes { get; set; } = Defaults.Classes;
        /// <summary>Background threshold t (finite, at least 0).</summary>
        public float Threshold { get; set; } = Defaults.Threshold;
        /// <summary>Score threshold for predicted classes, in (0, 1).</summary>
        public float ScoreThreshold { get; set; } = Defaults.ScoreThreshold;
    }

    /// <summary>Creates the estimator; options are checked here.</summary>
    /// <exception cref="ArgumentException">An empty column name, an unknown class choice or a threshold out of range (the message names it).</exception>
    public SeedMaskEstimator(MLContext mlContext, Options options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionChecks.ColumnName(options.OutputColumnName, nameof(options.OutputColumnName));
        OptionChecks.ColumnName(options.MapsColumnName, nameof(options.MapsColumnName));
        OptionChecks.ColumnName(options.MapSizeColumnName, nameof(options.MapSizeColumnName));
        OptionChecks.ColumnName(options.LabelColumnName, nameof(options.LabelColumnName));
        OptionChecks.ColumnName(options.ScoresColumnName, nameof(options.ScoresColumnName));
        if (!Enum.IsDefined(options.Classes))
            throw new ArgumentOutOfRangeException(nameof(options.Classes), options.Classes, $"Option Classes is {(int)options.Classes}; expected Labels, Predicted or LabelsOrPredicted.");
        OptionChecks.NonNegativeFinite(options.Threshold, nameof(options.Threshold));
        OptionChecks.OpenUnit(options.ScoreThreshold, nameof(options.ScoreThreshold));
        EstimatorOptions = options;
    }

    /// <summary>The options.</summary>
    public Options EstimatorOptions { get; }

    private bool ReadsLabels => EstimatorOptions.Classes != SeedClasses.Predicted;

    private bool ReadsScores => EstimatorOptions.Classes != SeedClasses.Labels;

    /// <summary>Compiles the seed rule for the maps' class count.</summary>
    private protected override SeedMaskTransformer FitCompiled(IDataView input)
    {
        var o = EstimatorOptions;
        var (classCount, fixedSize) = CheckInput(input.Schema);
        var names = new SeedMaskGraph.Names(o.MapsColumnName, fixedSize is null ? o.MapSizeColumnName : null,
            ReadsLabels ? o.LabelColumnName : null, ReadsScores ? o.ScoresColumnName : null, o.OutputColumnName);
        var metadata = new Dictionary<string, string>
        {
            [LpCamModelInfo.ComponentKey] = "SeedMask",
            [LpCamModelInfo.FormatVersionKey] = LpCamModelInfo.FormatVersion,
            ["lpcam.threshold"] = o.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["lpcam.classes"] = o.Classes.ToString(),
            ["lpcam.score_threshold"] = o.ScoreThreshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["lpcam.class_count"] = classCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var bytes = SeedMaskGraph.Build(names, classCount, fixedSize ?? (0, 0), o.Threshold, o.Classes, o.ScoreThreshold, metadata);
        bytes = InputGuardGraph.InsertFinite(bytes, o.MapsColumnName, "class maps", attachTo: names.Labels ?? names.Scores);
        if (names.Labels is not null) bytes = InputGuardGraph.InsertFinite(bytes, names.Labels, "multi-hot labels");
        if (names.Scores is not null) bytes = InputGuardGraph.InsertFinite(bytes, names.Scores, "class scores");
        var inputs = new[] { names.Maps, names.MapSize, names.Labels, names.Scores }.OfType<string>().ToArray();
        var onnx = Run(input, bytes, inputs, [o.OutputColumnName]);
        return new SeedMaskTransformer(onnx, metadata, classCount, EstimatorOptions.Threshold, o.Classes);
    }

    /// <inheritdoc />
    private protected override string CheckInputShape(SchemaShape inputSchema)
    {
        var o = EstimatorOptions;
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.MapsColumnName, "maps"), NumberDataViewType.Single, "maps", "a vector of Single");
        if (ReadsLabels) SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.LabelColumnName, "labels"), NumberDataViewType.Single, "labels", "a known-size vector of Single");
        if (ReadsScores) SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.ScoresColumnName, "scores"), NumberDataViewType.Single, "scores", "a known-size vector of Single");
        return o.MapsColumnName;
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<(string Name, bool Bytes)> OutputColumns => [(EstimatorOptions.OutputColumnName, true)];

    /// <inheritdoc />
    private protected override Action<string>? OptionsLog => null;

    /// <summary>C, and the maps' fixed (h, w) when the schema has no map-size column.</summary>
    private (int ClassCount, (long, long)? FixedSize) CheckInput(DataViewSchema schema)
    {
        var o = EstimatorOptions;
        int c = -1;
        foreach (var (name, role, read) in new[] { (o.LabelColumnName, "labels", ReadsLabels), (o.ScoresColumnName, "scores", ReadsScores) })
        {
            if (!read) continue;
            var vector = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, name, role), NumberDataViewType.Single,
                role, "a known-size vector of Single, one slot per class");
            if (c >= 0 && vector.Size != c)
                throw SchemaChecks.Mismatch(name, role, $"{c} slots like '{o.LabelColumnName}'", $"{vector.Size} slots");
            c = vector.Size;
        }
        var mapsColumn = SchemaChecks.Find(schema, o.MapsColumnName, "maps");
        if (mapsColumn.Type is not VectorDataViewType { ItemType: var item } maps || !item.Equals(NumberDataViewType.Single))
            throw SchemaChecks.Mismatch(o.MapsColumnName, "maps", $"a vector of Single with {c} maps", mapsColumn.Type.ToString() ?? "?");
        if (schema.GetColumnOrNull(o.MapSizeColumnName) is { } sizeColumn)
        {
            var size = SchemaChecks.KnownSizeVector(sizeColumn, NumberDataViewType.Single, "map size", "a known-size vector of 2 Single (h, w)");
            if (size.Size != 2) throw SchemaChecks.Mismatch(o.MapSizeColumnName, "map size", "2 values (h, w)", $"{size.Size} values");
            return (c, null);
        }
        if (!maps.IsKnownSize)
            throw SchemaChecks.Mismatch(o.MapsColumnName, "maps", $"a known-size vector [.., {c}, h, w], or maps with a map-size column '{o.MapSizeColumnName}'", "a vector of unknown size and no such column");
        var (h, w) = SchemaChecks.MapSize(maps, c, o.MapsColumnName, "maps");
        return (c, (h, w));
    }
}
