using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.Prototypes;

namespace LpCam.Cli.Pipeline;

/// <summary>The options every pipeline step shares; parsed from the command line with the algorithm's defaults.</summary>
internal sealed record PipelineOptions
{
    public required string Out { get; init; }
    public int? MaxImages { get; init; }
    public int Seed { get; init; }
    public InferenceScales Scales { get; init; } = new(new[] { 1.0 }, flip: true);
    public int LongSide { get; init; } = 448;
    public string Backbone { get; init; } = "resnet18";
    /// <summary>SHA-256 of the --backbone PATH.onnx file (so a changed file with the same name is another run), else null.</summary>
    public string? BackboneDigest { get; init; }
    public string Device { get; init; } = "cpu";
    public int Clusters { get; init; } = 12;
    public float Tau { get; init; } = 0.1f;
    public double MuF { get; init; } = 0.9;
    public double MuB { get; init; } = 0.9;
    public double ContextLowerBound { get; init; } = 0.05;
    public int SampleCap { get; init; } = PrototypeSampleAccumulator.DefaultSampleCap;
    public bool Selection { get; init; } = true;
    public float Threshold { get; init; } = 0.3f;
    public float CamThreshold { get; init; } = 0.15f;
    public int HeadEpochs { get; init; } = 50;
    public bool Irn { get; init; }
    public int Gallery { get; init; } = 12;

    public PrototypeFitterOptions Fitting => new()
    {
        Clusters = Clusters, Tau = Tau, ClassThreshold = MuF, ContextThreshold = MuB, ContextLowerBound = ContextLowerBound,
        SampleCap = SampleCap, Seed = Seed, Selection = Selection, Device = Device,
    };

    /// <summary>Reads the common options of every pipeline command.</summary>
    public static PipelineOptions Parse(CliArgs args, string defaultOut) => new()
    {
        Out = args.String("out", defaultOut)!,
        MaxImages = args.String("max-images") is null ? null : args.Int("max-images", 0, min: 1),
        Seed = args.Int("seed", 0),
        Scales = ParseScales(args.String("scales", "1.0")!, flip: !args.Flag("no-flip")),
        LongSide = args.Int("long-side", 448, min: 32, max: MaxLongSide),
        Backbone = CheckBackbone(args.String("backbone", "resnet18")!),
        BackboneDigest = FileDigest(args.String("backbone", "resnet18")!),
        Device = args.String("device", "cpu") is var d && d is "cpu" or "cuda" ? d! : throw new CliException($"option --device is '{d}'; expected cpu or cuda."),
        Clusters = args.Int("k", 12, min: 1, max: 1000),
        Tau = (float)args.Double("tau", 0.1, 0, 1),
        MuF = args.Double("mu-f", 0.9, 0, 1),
        MuB = args.Double("mu-b", 0.9, 0, 1),
        ContextLowerBound = args.Double("context-lower-bound", 0.05, 0, 1),
        SampleCap = args.Int("sample-cap", PrototypeSampleAccumulator.DefaultSampleCap, min: 1, max: 10_000_000),
        Selection = !args.Flag("no-selection"),
        Threshold = (float)args.Double("threshold", 0.3, 0, 1),
        CamThreshold = (float)args.Double("cam-threshold", 0.15, 0, 1),
        HeadEpochs = args.Int("head-epochs", 50, min: 1, max: 100_000),
        Irn = args.Flag("irn"),
        Gallery = args.Int("gallery", 12, min: 0),
    };

    /// <summary>The largest --long-side: beyond it one image's planes and feature maps no longer fit a machine's memory.</summary>
    public const int MaxLongSide = 4096;

    /// <summary>The largest --scales factor (the image's long side times it is what the backbone sees).</summary>
    public const double MaxScale = 4;

    /// <summary>Checks the form of --backbone (a name, or PATH.onnx:TENSOR of an existing file) before anything runs.</summary>
    private static string CheckBackbone(string backbone)
    {
        if (backbone is "resnet18" or "resnet18-os16") return backbone;
        int colon = backbone.LastIndexOf(':');
        if (colon <= 0 || colon == backbone.Length - 1 || !backbone[..colon].EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"option --backbone is '{backbone}'; expected resnet18, resnet18-os16 or PATH.onnx:FEATURE_TENSOR.");
        if (!File.Exists(backbone[..colon])) throw new CliException($"option --backbone: ONNX model file not found: '{backbone[..colon]}'.");
        return backbone;
    }

    private static string? FileDigest(string backbone)
    {
        int colon = backbone.LastIndexOf(':');
        string path = colon > 0 ? backbone[..colon] : backbone;
        if (!path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || !File.Exists(path)) return null;
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream))[..16];
    }

    private static InferenceScales ParseScales(string text, bool flip)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i])
                || !double.IsFinite(values[i]) || values[i] <= 0 || values[i] > MaxScale)
                throw new CliException($"option --scales is '{text}': '{parts[i]}' is not a scale; expected comma-separated numbers in (0, {MaxScale}], such as 1.0,0.5,1.5,2.0.");
        }
        if (values.Distinct().Count() != values.Length)
            throw new CliException($"option --scales is '{text}': a scale appears twice; expected distinct scales.");
        return new InferenceScales(values, flip);
    }

    /// <summary>The settings that decide the results, recorded in the manifest so a resumed run cannot mix settings.</summary>
    public IReadOnlyDictionary<string, string> Identity() => new SortedDictionary<string, string>
    {
        ["max_images"] = MaxImages?.ToString() ?? "all",
        ["seed"] = Seed.ToString(),
        ["scales"] = Scales.ToString(),
        ["long_side"] = LongSide.ToString(),
        ["backbone"] = Backbone + (BackboneDigest is null ? "" : $" (sha256 {BackboneDigest})"),
        ["k"] = Clusters.ToString(),
        ["tau"] = Tau.ToString("R"),
        ["mu_f"] = MuF.ToString("R"),
        ["mu_b"] = MuB.ToString("R"),
        ["context_lower_bound"] = ContextLowerBound.ToString("R"),
        ["sample_cap"] = SampleCap.ToString(),
        ["selection"] = Selection ? "on" : "off",
        ["head_epochs"] = HeadEpochs.ToString(),
    };
}
