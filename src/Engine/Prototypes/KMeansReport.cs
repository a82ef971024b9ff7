using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>How one run of <see cref="SphericalKMeans"/> went.</summary>
/// <param name="UpdateRule">The rule used.</param>
/// <param name="Iterations">Assignment/update rounds run.</param>
/// <param name="Converged">True when the stopping rule fired before the iteration cap.</param>
/// <param name="Objectives">Objective J (mean cosine of each point to the centre it is assigned to) of every round, taken
/// at its assignment step. Non-decreasing for <see cref="KMeansUpdateRule.Spherical"/> (up to float rounding).</param>
/// <param name="CentreShifts">Squared sum of centre shifts of every round's update (unit centres for the spherical rule,
/// plain means for the reference rule).</param>
/// <param name="FinalObjective">Mean cosine of each point to its final centre.</param>
/// <param name="ClusterSizes">Members of each final cluster; every cluster has at least one.</param>
/// <param name="ReseededClusters">How many times an empty cluster was re-seeded with the point farthest from its centre.</param>
public sealed record KMeansReport(
    KMeansUpdateRule UpdateRule,
    int Iterations,
    bool Converged,
    IReadOnlyList<double> Objectives,
    IReadOnlyList<double> CentreShifts,
    double FinalObjective,
    IReadOnlyList<int> ClusterSizes,
    int ReseededClusters);
