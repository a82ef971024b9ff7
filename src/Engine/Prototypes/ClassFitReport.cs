using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>How the prototypes of one class were fitted.</summary>
/// <param name="ClassIndex">The class.</param>
/// <param name="Images">Images labelled with the class that were added.</param>
/// <param name="ForegroundRowsSeen">Feature rows of F_n seen (before sampling).</param>
/// <param name="ContextRowsSeen">Feature rows of B_n seen (before sampling).</param>
/// <param name="ForegroundRowsClustered">Rows of F_n clustered (the reservoir sample).</param>
/// <param name="ContextRowsClustered">Rows of B_n clustered; 0 when the class had no context.</param>
/// <param name="ForegroundClusters">K' used for F_n: K, or the sample size when that is smaller.</param>
/// <param name="ContextClusters">K' used for B_n: K, the sample size when that is smaller, or 0 without context.</param>
/// <param name="ClustersReduced">True when a set had fewer sampled rows than K, so K' &lt; K was used.</param>
/// <param name="Foreground">The clustering of F_n.</param>
/// <param name="Context">The clustering of B_n; null when the class had no context rows.</param>
/// <param name="Selection">Which centres became prototypes.</param>
/// <param name="ClassifierFallback">True when the class had no foreground feature and its classifier direction became its
/// only class prototype (<see cref="PrototypeFitterOptions.ClassifierFallback"/>).</param>
public sealed record ClassFitReport(
    int ClassIndex,
    int Images,
    long ForegroundRowsSeen,
    long ContextRowsSeen,
    int ForegroundRowsClustered,
    int ContextRowsClustered,
    int ForegroundClusters,
    int ContextClusters,
    bool ClustersReduced,
    KMeansReport Foreground,
    KMeansReport? Context,
    SelectionReport Selection,
    bool ClassifierFallback = false);
