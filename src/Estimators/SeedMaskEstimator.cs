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
/// | Input column data type | Maps: known-size vector of <xref:System.Single> with dimensions [.., C, H, W]; classes: known-size vector of <xref:System.Single> [C] |
/// | Output column data type | Known-size vector of <xref:System.Byte> [1, H, W]: 0 = background, c + 1 = class c |
/// | Required NuGet in addition to Microsoft.ML | LpCam.MLNet (Microsoft.ML.OnnxTransformer, ONNX Runtime) |
/// | Exportable to ONNX | Yes: it is an ONNX graph |
///
/// The classes are the image's labels (multi-hot, above 0.5) or, for unlabelled images with
/// <see cref="Options.UsePredictedClasses"/>, the classes whose score is above <see cref="Options.ScoreThreshold"/>.
/// Maps of the other classes are ignored. The fitted transformer is an ONNX graph run by ML.NET's OnnxTransformer, so it
/// saves and loads with the ML.NET model zip.
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
        public const string MapsColumnName = "LpCam";
        /// <summary>The class (label) column.</summary>
        public const string ClassesColumnName = "Label";
        /// <summary>The paper's background threshold for LPCAM seeds.</summary>
        public const float Threshold = 0.3f;
        /// <summary>Score above which a class counts as predicted.</summary>
        public const float ScoreThreshold = 0.5f;
    }

    /// <summary>Options of <see cref="SeedMaskEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>The seed-mask column to create.</summary>
        public string OutputColumnName { get; set; } = Defaults.OutputColumnName;
        /// <summary>The maps column [.., C, H, W].</summary>
        public string MapsColumnName { get; set; } = Defaults.MapsColumnName;
        /// <summary>The multi-hot labels [C], or the class scores [C] when <see cref="UsePredictedClasses"/> is set.</summary>
        public string ClassesColumnName { get; set; } = Defaults.ClassesColumnName;
        /// <summary>Background threshold t (finite, at least 0).</summary>
        public float Threshold { get; set; } = Defaults.Threshold;
        /// <summary>Use the classes whose score exceeds <see cref="ScoreThreshold"/> instead of the labels.</summary>
        public bool UsePredictedClasses { get; set; }
        /// <summary>Score threshold for predicted classes, in (0, 1).</summary>
        public float ScoreThreshold { get; set; } = Defaults.ScoreThreshold;
    }

    /// <summary>Creates the estimator; options are checked here.</summary>
    /// <exception cref="ArgumentException">An empty column name or a threshold out of range (the message names it).</exception>
    public SeedMaskEstimator(MLContext mlContext, Options options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionChecks.ColumnName(options.OutputColumnName, nameof(options.OutputColumnName));
        OptionChecks.ColumnName(options.MapsColumnName, nameof(options.MapsColumnName));
        OptionChecks.ColumnName(options.ClassesColumnName, nameof(options.ClassesColumnName));
        OptionChecks.NonNegativeFinite(options.Threshold, nameof(options.Threshold));
        OptionChecks.OpenUnit(options.ScoreThreshold, nameof(options.ScoreThreshold));
        EstimatorOptions = options;
    }

    /// <summary>The options.</summary>
    public Options EstimatorOptions { get; }

    /// <summary>Compiles the seed rule for the maps' size and class count.</summary>
    private protected override SeedMaskTransformer FitCompiled(IDataView input)
    {
        var o = EstimatorOptions;
        var (classCount, height, width) = CheckInput(input.Schema);
        var graph = Compile(classCount, height, width, out var metadata);
        var onnx = Run(input, graph, [o.MapsColumnName, o.ClassesColumnName], [o.OutputColumnName], new Dictionary<string, int[]>
        {
            [o.MapsColumnName] = [1, classCount, height, width],
            [o.ClassesColumnName] = [1, classCount],
        });
        return new SeedMaskTransformer(onnx, metadata, classCount, height, width, EstimatorOptions.Threshold);
    }

    /// <inheritdoc />
    private protected override string CheckInputShape(SchemaShape inputSchema)
    {
        var o = EstimatorOptions;
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.MapsColumnName, "maps"), NumberDataViewType.Single, "maps", "a known-size vector of Single");
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.ClassesColumnName, "classes"), NumberDataViewType.Single, "classes", "a known-size vector of Single");
        return o.MapsColumnName;
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<(string Name, bool Bytes)> OutputColumns => [(EstimatorOptions.OutputColumnName, true)];

    /// <inheritdoc />
    private protected override Action<string>? OptionsLog => null;

    private (int ClassCount, int Height, int Width) CheckInput(DataViewSchema schema)
    {
        var o = EstimatorOptions;
        var classes = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.ClassesColumnName, "classes"), NumberDataViewType.Single,
            "classes", "a known-size vector of Single (multi-hot labels or class scores)");
        int c = classes.Size;
        var mapsColumn = SchemaChecks.Find(schema, o.MapsColumnName, "maps");
        var maps = SchemaChecks.KnownSizeVector(mapsColumn, NumberDataViewType.Single, "maps", $"a known-size vector of Single with {c} maps");
        var (h, w) = SchemaChecks.MapSize(maps, c, o.MapsColumnName, "maps");
        return (c, h, w);
    }

    private byte[] Compile(int classCount, int height, int width, out Dictionary<string, string> metadata)
    {
        var o = EstimatorOptions;
        metadata = new Dictionary<string, string>
        {
            [LpCamModelInfo.ComponentKey] = "SeedMask",
            [LpCamModelInfo.FormatVersionKey] = LpCamModelInfo.FormatVersion,
            ["lpcam.threshold"] = o.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["lpcam.classes"] = o.UsePredictedClasses ? $"predicted (score > {o.ScoreThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)})" : "labels",
            ["lpcam.class_count"] = classCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var bytes = SeedMaskGraph.Build(o.MapsColumnName, o.ClassesColumnName, o.OutputColumnName, classCount, height, width,
            o.Threshold, o.UsePredictedClasses ? o.ScoreThreshold : null, metadata);
        bytes = InputGuardGraph.InsertFinite(bytes, o.MapsColumnName, "class maps", attachTo: o.ClassesColumnName);
        return InputGuardGraph.InsertFinite(bytes, o.ClassesColumnName, o.UsePredictedClasses ? "class scores" : "multi-hot labels");
    }
}
