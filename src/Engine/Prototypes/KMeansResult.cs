using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>The clusters found by <see cref="SphericalKMeans"/>, as managed arrays (no native memory to dispose).</summary>
/// <param name="Centres">K unit-length centres of D values: the normalised mean of each cluster's unit-normalised members
/// (for the reference rule, the normalised plain mean).</param>
/// <param name="RawMeans">K means of D values of each cluster's members in the original feature units (not normalised):
/// what the classifier must score (lpcam-algorithm.md, section 2.3).</param>
/// <param name="Assignments">The cluster of each of the N rows.</param>
/// <param name="Report">Iterations, objective history, convergence and cluster sizes.</param>
public sealed record KMeansResult(float[][] Centres, float[][] RawMeans, int[] Assignments, KMeansReport Report)
{
    /// <summary>K, the number of clusters.</summary>
    public int ClusterCount => Centres.Length;
}
