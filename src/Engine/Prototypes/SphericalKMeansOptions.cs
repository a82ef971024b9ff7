using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>Settings of <see cref="SphericalKMeans"/>; checked when the clusterer is constructed.</summary>
public sealed record SphericalKMeansOptions
{
    /// <summary>Default K: 12, the paper's value on VOC (COCO: 20).</summary>
    public const int DefaultClusters = 12;

    /// <summary>Default iteration cap: 100. Spherical k-means at LPCAM's sizes usually stops after 10-40 iterations; the
    /// cap only bounds the reference rule, which may oscillate.</summary>
    public const int DefaultMaxIterations = 100;

    /// <summary>Default tolerance: 1e-4 (relative objective change for <see cref="KMeansUpdateRule.Spherical"/>, squared
    /// centre shift for <see cref="KMeansUpdateRule.Reference"/>, as in the authors' code).</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>Default rows per block of the assignment step: 16,384 (a 16,384 x K similarity block, 0.8 MB at K = 12).
    /// Measured on 2 CPU cores at 50,000 x 512, K = 12: blocks of 4,096 rows cost about twice as much as one block.</summary>
    public const int DefaultChunkRows = 16_384;

    /// <summary>K, the number of clusters; at least 1 and at most the number of rows clustered.</summary>
    public int Clusters { get; init; } = DefaultClusters;

    /// <summary>Most assignment/update rounds; at least 1.</summary>
    public int MaxIterations { get; init; } = DefaultMaxIterations;

    /// <summary>
    /// Stopping tolerance, at least 0. <see cref="KMeansUpdateRule.Spherical"/>: stop when
    /// <c>|J_t - J_(t-1)| &lt;= Tolerance * |J_(t-1)|</c> for the objective J. <see cref="KMeansUpdateRule.Reference"/>:
    /// stop when the squared sum of centre shifts is below it.
    /// </summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    /// <summary>The centre update and stopping rule.</summary>
    public KMeansUpdateRule UpdateRule { get; init; } = KMeansUpdateRule.Spherical;

    /// <summary>Seed of the k-means++ seeding; the same data and seed give the same clusters on the same device.</summary>
    public int Seed { get; init; }

    /// <summary>Rows per block of the assignment step; memory of that step is O(ChunkRows x K). At least 1.</summary>
    public int ChunkRows { get; init; } = DefaultChunkRows;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    internal void Validate()
    {
        if (Clusters < 1)
            throw new ArgumentOutOfRangeException(nameof(Clusters), Clusters, $"Clusters (K) was {Clusters}; expected at least 1.");
        if (MaxIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, $"MaxIterations was {MaxIterations}; expected at least 1.");
        if (!(Tolerance >= 0) || double.IsInfinity(Tolerance))
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, $"Tolerance was {Tolerance}; expected a finite value >= 0.");
        if (!Enum.IsDefined(UpdateRule))
            throw new ArgumentOutOfRangeException(nameof(UpdateRule), UpdateRule, $"UpdateRule was {(int)UpdateRule}; expected Spherical or Reference.");
        if (ChunkRows < 1)
            throw new ArgumentOutOfRangeException(nameof(ChunkRows), ChunkRows, $"ChunkRows was {ChunkRows}; expected at least 1.");
    }
}
