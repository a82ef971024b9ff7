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
    public int Workers { get; init; } = Environment.ProcessorCount;
    public bool AllOverlays { get; init; }

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
        Scales = InferenceScales.Parse(args.String("scales", "1.0")!, flip: !args.Flag("no-flip")),
        LongSide = args.Int("long-side", 448, min: 32),
        Backbone = args.String("backbone", "resnet18")!,
        Device = args.String("device", "cpu") is var d && d is "cpu" or "cuda" ? d! : throw new CliException($"option --device is '{d}'; expected cpu or cuda."),
        Clusters = args.Int("k", 12, min: 1),
        Tau = (float)args.Double("tau", 0.1, 0, 1),
        MuF = args.Double("mu-f", 0.9, 0, 1),
        MuB = args.Double("mu-b", 0.9, 0, 1),
        ContextLowerBound = args.Double("context-lower-bound", 0.05, 0, 1),
        SampleCap = args.Int("sample-cap", PrototypeSampleAccumulator.DefaultSampleCap, min: 1),
        Selection = !args.Flag("no-selection"),
        Threshold = (float)args.Double("threshold", 0.3, 0, 1),
        CamThreshold = (float)args.Double("cam-threshold", 0.15, 0, 1),
        HeadEpochs = args.Int("head-epochs", 50, min: 1),
        Irn = args.Flag("irn"),
        Gallery = args.Int("gallery", 12, min: 0),
        Workers = args.Int("workers", Environment.ProcessorCount, min: 1),
        AllOverlays = args.String("overlays", "report") is var ov && ov is "all" ? true : ov is "report" ? false : throw new CliException($"option --overlays is '{ov}'; expected report or all."),
    };

    /// <summary>The settings that decide the results, recorded in the manifest so a resumed run cannot mix settings.</summary>
    public IReadOnlyDictionary<string, string> Identity() => new SortedDictionary<string, string>
    {
        ["max_images"] = MaxImages?.ToString() ?? "all",
        ["seed"] = Seed.ToString(),
        ["scales"] = Scales.ToString(),
        ["long_side"] = LongSide.ToString(),
        ["backbone"] = Backbone,
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
