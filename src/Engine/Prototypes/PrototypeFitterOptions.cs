using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>Settings of <see cref="PrototypeFitter"/>; checked when the fitter is constructed. Defaults are the paper's VOC
/// values (lpcam-algorithm.md, section 2).</summary>
public sealed record PrototypeFitterOptions
{
    /// <summary>K, clusters of each of F_n and B_n (VOC 12, COCO 20). A set with fewer sampled rows uses K' = its row count.</summary>
    public int Clusters { get; init; } = SphericalKMeansOptions.DefaultClusters;

    /// <summary>tau, the CAM value splitting foreground (above) from context (below); in (0, 1). VOC 0.1, COCO 0.25.</summary>
    public float Tau { get; init; } = PrototypeSampleAccumulator.DefaultTau;

    /// <summary>mu_f, the class prototype score threshold; in [0, 1].</summary>
    public double ClassThreshold { get; init; } = PrototypeSelectionOptions.DefaultClassThreshold;

    /// <summary>mu_b, the context prototype score threshold; in [0, 1]. VOC 0.9, COCO 0.5.</summary>
    public double ContextThreshold { get; init; } = PrototypeSelectionOptions.DefaultContextThreshold;

    /// <summary>Lower bound on a context prototype's score; 0 disables it. VOC 0.05, COCO 0.</summary>
    public double ContextLowerBound { get; init; } = PrototypeSelectionOptions.DefaultContextLowerBound;

    /// <summary>Most feature rows kept per class and per set (reservoir sample); bounds memory. See
    /// <see cref="PrototypeSampleAccumulator.DefaultSampleCap"/>.</summary>
    public int SampleCap { get; init; } = PrototypeSampleAccumulator.DefaultSampleCap;

    /// <summary>Seed of the reservoirs and of the k-means++ seeding.</summary>
    public int Seed { get; init; }

    /// <summary>Iteration cap of each clustering.</summary>
    public int MaxIterations { get; init; } = SphericalKMeansOptions.DefaultMaxIterations;

    /// <summary>Stopping tolerance of each clustering (see <see cref="SphericalKMeansOptions.Tolerance"/>).</summary>
    public double Tolerance { get; init; } = SphericalKMeansOptions.DefaultTolerance;

    /// <summary>Centre update rule of the clustering.</summary>
    public KMeansUpdateRule UpdateRule { get; init; } = KMeansUpdateRule.Spherical;

    /// <summary>False: keep every centre (the "no selection" ablation).</summary>
    public bool Selection { get; init; } = true;

    /// <summary>
    /// True (default): a class with no foreground feature (no training image, or no CAM value above tau) gets its
    /// classifier direction w_n / |w_n| as its only class prototype and no context prototype, so LPCAM falls back to a
    /// cosine CAM for it; the report marks it. False: Fit throws naming the class.
    /// </summary>
    public bool ClassifierFallback { get; init; } = true;

    /// <summary>Device of the clustering: "cpu", "cuda" or "auto" (see <see cref="TorchDevice.Resolve"/>). Default "cpu":
    /// clustering a capped sample is cheap, and on the CPU a seed gives bit-identical prototypes.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// How many classes are clustered at once (threads); default 1. Each class's prototypes depend only on its own samples
    /// and seed, so any value gives the same prototypes as 1 for the same TorchSharp thread count (the caller chooses
    /// that, e.g. one intra-op thread per worker so that workers do not oversubscribe the cores).
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>Rows per block of the k-means assignment step.</summary>
    public int ChunkRows { get; init; } = SphericalKMeansOptions.DefaultChunkRows;

    /// <summary>The clustering settings for a set, with K' clusters.</summary>
    internal SphericalKMeansOptions KMeans(int clusters, int seed) => new()
    {
        Clusters = clusters,
        MaxIterations = MaxIterations,
        Tolerance = Tolerance,
        UpdateRule = UpdateRule,
        Seed = seed,
        ChunkRows = ChunkRows,
    };

    /// <summary>The selection settings.</summary>
    internal PrototypeSelectionOptions SelectionOptions => new()
    {
        ClassThreshold = ClassThreshold,
        ContextThreshold = ContextThreshold,
        ContextLowerBound = ContextLowerBound,
        Enabled = Selection,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (or <see cref="ArgumentException"/> for the device) naming
    /// the first invalid setting, its value and what was expected.</summary>
    internal void Validate()
    {
        if (!(Tau > 0 && Tau < 1))
            throw new ArgumentOutOfRangeException(nameof(Tau), Tau, $"Tau was {Tau}; expected a value strictly between 0 and 1 (CAMs are normalised to [0, 1]).");
        if (SampleCap < 1)
            throw new ArgumentOutOfRangeException(nameof(SampleCap), SampleCap, $"SampleCap was {SampleCap}; expected at least 1.");
        if (Workers < 1)
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, $"Workers was {Workers}; expected at least 1.");
        KMeans(Clusters, Seed).Validate();
        SelectionOptions.Validate();
        ArgumentNullException.ThrowIfNull(Device, nameof(Device));
        if (Device.ToLowerInvariant() is not ("cpu" or "cuda" or "auto"))
            throw new ArgumentException($"Device was '{Device}'; expected 'cpu', 'cuda' or 'auto'.", nameof(Device));
    }
}
