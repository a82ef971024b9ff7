using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>Which centres of one class became prototypes, and why.</summary>
/// <param name="ClassIndex">The class.</param>
/// <param name="SelectionApplied">False in "no selection" mode: every centre was kept.</param>
/// <param name="ForegroundScores">Score z_n of every foreground centre, in cluster order.</param>
/// <param name="ClassKept">Cluster indices of the foreground centres kept as class prototypes, ascending.</param>
/// <param name="ContextScores">Score z_n of every context centre, in cluster order; empty when the class had no context.</param>
/// <param name="ContextKept">Cluster indices of the context centres kept as context prototypes, ascending.</param>
/// <param name="FallbackUsed">True when no foreground centre scored above mu_f and the best-scoring one was kept alone.</param>
public sealed record SelectionReport(
    int ClassIndex,
    bool SelectionApplied,
    IReadOnlyList<float> ForegroundScores,
    IReadOnlyList<int> ClassKept,
    IReadOnlyList<float> ContextScores,
    IReadOnlyList<int> ContextKept,
    bool FallbackUsed)
{
    /// <summary>Cluster indices of the foreground centres dropped.</summary>
    public IReadOnlyList<int> ClassDropped => Enumerable.Range(0, ForegroundScores.Count).Except(ClassKept).ToArray();

    /// <summary>Cluster indices of the context centres dropped.</summary>
    public IReadOnlyList<int> ContextDropped => Enumerable.Range(0, ContextScores.Count).Except(ContextKept).ToArray();
}
