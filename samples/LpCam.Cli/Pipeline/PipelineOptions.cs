using System.CommandLine;
using System.Globalization;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.Prototypes;
using LpCam.MLNet.Estimators;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The options every pipeline step shares, read from the command line. The algorithm's defaults are the library's
/// (<see cref="LocalPrototypeEstimator.Defaults"/>, <see cref="SeedMaskEstimator.Defaults"/>,
/// <see cref="MultiLabelHeadOptions.Defaults"/>); only the CLI's own settings are defined here.
/// </summary>
internal sealed record PipelineOptions
{
    /// <summary>Long side the images are resized to (the CLI's default input size).</summary>
    public const int DefaultLongSide = CamFeaturizerEstimator.Defaults.LongSide;

    /// <summary>The largest --long-side: beyond it one image's planes and feature maps no longer fit a machine's memory.</summary>
    public const int MaxLongSide = 4096;

    /// <summary>The largest --scales factor (the image's long side times it is what the backbone sees).</summary>
    public const double MaxScale = CamFeaturizerEstimator.MaxScale;

    /// <summary>The largest side the backbone is given: --long-side times the largest --scales factor.</summary>
    public const int MaxBackboneSide = 8192;

    /// <summary>CAM seeds' threshold: IRN's 0.15 (LPCAM's is <see cref="SeedMaskEstimator.Defaults.Threshold"/>).</summary>
    public const float DefaultCamThreshold = 0.15f;

    public required string Out { get; init; }
    public int? MaxImages { get; init; }
    public int Seed { get; init; }
    public InferenceScales Scales { get; init; } = new(CamFeaturizerEstimator.Defaults.Scales, CamFeaturizerEstimator.Defaults.Flip);
    public int LongSide { get; init; } = DefaultLongSide;
    public string Backbone { get; init; } = "resnet18";
    /// <summary>SHA-256 of the --backbone PATH.onnx file (so a changed file with the same name is another run), else null.</summary>
    public string? BackboneDigest { get; init; }
    public string Device { get; init; } = "cpu";
    public int Clusters { get; init; } = LocalPrototypeEstimator.Defaults.Clusters;
    public float Tau { get; init; } = LocalPrototypeEstimator.Defaults.Tau;
    public double MuF { get; init; } = LocalPrototypeEstimator.Defaults.ClassThreshold;
    public double MuB { get; init; } = LocalPrototypeEstimator.Defaults.ContextThreshold;
    public double ContextLowerBound { get; init; } = LocalPrototypeEstimator.Defaults.ContextLowerBound;
    public int SampleCap { get; init; } = LocalPrototypeEstimator.Defaults.SampleCap;
    public bool Selection { get; init; } = true;
    public float Threshold { get; init; } = SeedMaskEstimator.Defaults.Threshold;
    public float CamThreshold { get; init; } = DefaultCamThreshold;
    public int HeadEpochs { get; init; } = MultiLabelHeadOptions.Defaults.Epochs;
    public CamHeadSource HeadSource { get; init; } = CamFeaturizerEstimator.Defaults.HeadSource;
    public bool Irn { get; init; }
    public int Gallery { get; init; } = 12;
    public int Workers { get; init; } = Environment.ProcessorCount;
    public bool AllOverlays { get; init; }

    public PrototypeFitterOptions Fitting => new()
    {
        Clusters = Clusters, Tau = Tau, ClassThreshold = MuF, ContextThreshold = MuB, ContextLowerBound = ContextLowerBound,
        SampleCap = SampleCap, Seed = Seed, Selection = Selection, Device = Device,
    };

    /// <summary>The command-line options of the pipeline commands (run, demo and the single steps).</summary>
    public static class Symbols
    {
        public static readonly Option<string?> Out = CliOptions.OptionalString("--out", "the run folder (run and the steps: out/run; demo: out/demo)");
        public static readonly Option<int?> MaxImages = CliOptions.OptionalInt("--max-images", "use only the first N images", min: 1);
        public static readonly Option<int> Seed = CliOptions.Int("--seed", 0, "seed of the head, the clustering and the synthetic scenes");
        public static readonly Option<string> Scales = CliOptions.String("--scales", string.Join(",", CamFeaturizerEstimator.Defaults.Scales.Select(s => s.ToString("0.0##", CultureInfo.InvariantCulture))), "inference scales, comma-separated; the reference: 1.0,0.5,1.5,2.0");
        public static readonly Option<bool> NoFlip = CliOptions.Flag("--no-flip", "do not add each scale's mirror image");
        public static readonly Option<int> LongSide = CliOptions.Int("--long-side", DefaultLongSide, "images are resized so their long side is N", min: 32, max: MaxLongSide);
        public static readonly Option<string> Backbone = CliOptions.String("--backbone", "resnet18", "resnet18, resnet18-os16 or PATH.onnx:FEATURE_TENSOR");
        public static readonly Option<string> Device = CliOptions.String("--device", "cpu", "where the backbone and the head run", "cpu", "cuda");
        public static readonly Option<int> K = CliOptions.Int("--k", LocalPrototypeEstimator.Defaults.Clusters, "K, clusters of each class's foreground and context sets", min: 1, max: 1000);
        public static readonly Option<double> Tau = CliOptions.Double("--tau", (double)(decimal)LocalPrototypeEstimator.Defaults.Tau, "CAM split of foreground and context", 0, 1);
        public static readonly Option<double> MuF = CliOptions.Double("--mu-f", LocalPrototypeEstimator.Defaults.ClassThreshold, "class prototype score threshold", 0, 1);
        public static readonly Option<double> MuB = CliOptions.Double("--mu-b", LocalPrototypeEstimator.Defaults.ContextThreshold, "context prototype score threshold", 0, 1);
        public static readonly Option<double> ContextLowerBound = CliOptions.Double("--context-lower-bound", LocalPrototypeEstimator.Defaults.ContextLowerBound, "lower bound of a context prototype's score", 0, 1);
        public static readonly Option<int> SampleCap = CliOptions.Int("--sample-cap", LocalPrototypeEstimator.Defaults.SampleCap, "features sampled per class and set", min: 1, max: 10_000_000);
        public static readonly Option<bool> NoSelection = CliOptions.Flag("--no-selection", "keep every cluster centre (ablation)");
        public static readonly Option<double> Threshold = CliOptions.Double("--threshold", (double)(decimal)SeedMaskEstimator.Defaults.Threshold, "background threshold of LPCAM and LPCAM-F seeds", 0, 1);
        public static readonly Option<double> CamThreshold = CliOptions.Double("--cam-threshold", (double)(decimal)DefaultCamThreshold, "background threshold of CAM seeds", 0, 1);
        public static readonly Option<string> Head = CliOptions.String("--head", CamFeaturizerEstimator.Defaults.HeadSource.ToString().ToLowerInvariant(),
            "the CAM head: train (a linear head on the backbone's features), backbone (a fine-tuned backbone's own head) or auto (the backbone's own when it has one)", "auto", "train", "backbone");
        public static readonly Option<int> HeadEpochs = CliOptions.Int("--head-epochs", MultiLabelHeadOptions.Defaults.Epochs, "epochs of the multi-label head", min: 1, max: 100_000);
        public static readonly Option<bool> Irn = CliOptions.Flag("--irn", "also write the maps in IRN's .npy layout");
        public static readonly Option<int> Gallery = CliOptions.Int("--gallery", 12, "images shown in the report's gallery", min: 0, max: 10_000);
        public static readonly Option<int> Workers = CliOptions.Int("--workers", Environment.ProcessorCount, "threads of the per-image steps (results are the same for any count; default: the cores)", min: 1, max: 1024);
        public static readonly Option<string> Overlays = CliOptions.String("--overlays", "report", "report: overlays/ only for the gallery's images; all: for every image", "report", "all");

        public static IEnumerable<Option> All =>
            [Out, MaxImages, Seed, Scales, NoFlip, LongSide, Backbone, Device, K, Tau, MuF, MuB, ContextLowerBound, SampleCap, NoSelection,
             Threshold, CamThreshold, Head, HeadEpochs, Irn, Gallery, Workers, Overlays];
    }

    /// <summary>Reads the options of a pipeline command; <paramref name="defaultOut"/> is its --out default.</summary>
    public static PipelineOptions Parse(ParseResult args, string defaultOut)
    {
        string backbone = CheckBackbone(args.GetValue(Symbols.Backbone)!);
        var scales = ParseScales(args.GetValue(Symbols.Scales)!, flip: !args.GetValue(Symbols.NoFlip));
        int longSide = args.GetValue(Symbols.LongSide);
        if (longSide * scales.Scales.Max() > MaxBackboneSide)
            throw new CliException($"options --long-side {longSide} and --scales {args.GetValue(Symbols.Scales)} give the backbone images of {longSide * scales.Scales.Max():F0} pixels; expected at most {MaxBackboneSide} (one such image needs gigabytes).");
        return new()
        {
            Out = args.GetValue(Symbols.Out) ?? defaultOut,
            MaxImages = args.GetValue(Symbols.MaxImages),
            Seed = args.GetValue(Symbols.Seed),
            Scales = scales,
            LongSide = longSide,
            Backbone = backbone,
            BackboneDigest = FileDigest(backbone),
            Device = args.GetValue(Symbols.Device)!,
            Clusters = args.GetValue(Symbols.K),
            Tau = (float)args.GetValue(Symbols.Tau),
            MuF = args.GetValue(Symbols.MuF),
            MuB = args.GetValue(Symbols.MuB),
            ContextLowerBound = args.GetValue(Symbols.ContextLowerBound),
            SampleCap = args.GetValue(Symbols.SampleCap),
            Selection = !args.GetValue(Symbols.NoSelection),
            Threshold = (float)args.GetValue(Symbols.Threshold),
            CamThreshold = (float)args.GetValue(Symbols.CamThreshold),
            HeadEpochs = args.GetValue(Symbols.HeadEpochs),
            HeadSource = Enum.Parse<CamHeadSource>(args.GetValue(Symbols.Head)!, ignoreCase: true),
            Irn = args.GetValue(Symbols.Irn),
            Gallery = args.GetValue(Symbols.Gallery),
            Workers = args.GetValue(Symbols.Workers),
            AllOverlays = args.GetValue(Symbols.Overlays) == "all",
        };
    }

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
        if (colon <= 0) return null;
        using var stream = File.OpenRead(backbone[..colon]);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream))[..16];
    }

    private static InferenceScales ParseScales(string text, bool flip)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])
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
        ["max_images"] = MaxImages?.ToString(CultureInfo.InvariantCulture) ?? "all",
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["scales"] = Scales.ToString(),
        ["long_side"] = LongSide.ToString(CultureInfo.InvariantCulture),
        ["backbone"] = Backbone + (BackboneDigest is null ? "" : $" (sha256 {BackboneDigest})"),
        ["k"] = Clusters.ToString(CultureInfo.InvariantCulture),
        ["tau"] = Tau.ToString("R", CultureInfo.InvariantCulture),
        ["mu_f"] = MuF.ToString("R", CultureInfo.InvariantCulture),
        ["mu_b"] = MuB.ToString("R", CultureInfo.InvariantCulture),
        ["context_lower_bound"] = ContextLowerBound.ToString("R", CultureInfo.InvariantCulture),
        ["sample_cap"] = SampleCap.ToString(CultureInfo.InvariantCulture),
        ["selection"] = Selection ? "on" : "off",
        ["head_epochs"] = HeadEpochs.ToString(CultureInfo.InvariantCulture),
        ["head"] = HeadSource.ToString().ToLowerInvariant(),
    };
}
