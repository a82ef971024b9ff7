using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>How <see cref="SphericalKMeans"/> moves its centres and when it stops.</summary>
public enum KMeansUpdateRule
{
    /// <summary>
    /// Spherical k-means: centre = normalised mean of the (unit-normalised) members; stops when the relative change of the
    /// objective (mean cosine of points to their centre) falls below the tolerance, or when no assignment changes. The
    /// objective never decreases, so the method cannot oscillate.
    /// </summary>
    Spherical = 0,

    /// <summary>
    /// The authors' rule, for parity checks: cosine assignment, but centre = plain (un-normalised) Euclidean mean of the
    /// unit-normalised members; stops when the squared sum of centre shifts falls below the tolerance. Not a descent
    /// method: it may oscillate until the iteration cap. Unlike the reference, it is seeded, capped, chunked and re-seeds
    /// empty clusters.
    /// </summary>
    Reference = 1,
}
