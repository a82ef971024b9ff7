namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// Bounds the sampled rows that the workers of <see cref="PrototypeFitter.Fit(TorchSharp.torch.Tensor, ImageFeaturesReader)"/>
/// hold at once: a set takes its row count from the budget before its rows are read and gives it back once clustered.
/// A set larger than the budget still runs, alone, so no set waits forever.
/// </summary>
internal sealed class RowBudget(long rows)
{
    private readonly object _gate = new();
    private long _used;

    /// <summary>Waits until <paramref name="count"/> more rows fit in the budget (or nothing else is held), then takes them.</summary>
    /// <returns>The rows to give back with <see cref="Release"/>.</returns>
    public long Take(long count)
    {
        lock (_gate)
        {
            while (_used > 0 && _used + count > rows)
                Monitor.Wait(_gate);
            _used += count;
        }
        return count;
    }

    /// <summary>Gives back rows taken by <see cref="Take"/>.</summary>
    public void Release(long count)
    {
        lock (_gate)
        {
            _used -= count;
            Monitor.PulseAll(_gate);
        }
    }
}
