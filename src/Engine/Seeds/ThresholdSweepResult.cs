using LpCam.MLNet.Engine.Metrics;

namespace LpCam.MLNet.Engine.Seeds;

/// <summary>The scores of a <see cref="ThresholdSweep"/>: one <see cref="SegmentationMetrics"/> per threshold and the best.</summary>
public sealed class ThresholdSweepResult
{
    internal ThresholdSweepResult(IReadOnlyList<float> thresholds, IReadOnlyList<SegmentationMetrics> metrics)
    {
        Thresholds = thresholds;
        Metrics = metrics;
        int best = 0;
        for (int i = 1; i < metrics.Count; i++)
            if (metrics[i].MeanIoU > metrics[best].MeanIoU)
                best = i;
        BestIndex = best;
    }

    /// <summary>The thresholds, in the sweep's order.</summary>
    public IReadOnlyList<float> Thresholds { get; }

    /// <summary>The scores at each threshold.</summary>
    public IReadOnlyList<SegmentationMetrics> Metrics { get; }

    /// <summary>mIoU (background and object classes) at each threshold.</summary>
    public IReadOnlyList<double> MeanIoU => Metrics.Select(m => m.MeanIoU).ToArray();

    /// <summary>Index of the threshold with the highest mIoU; on a tie the first in the sweep's order.</summary>
    public int BestIndex { get; }

    /// <summary>The threshold with the highest mIoU.</summary>
    public float BestThreshold => Thresholds[BestIndex];

    /// <summary>The scores at <see cref="BestThreshold"/>.</summary>
    public SegmentationMetrics Best => Metrics[BestIndex];
}
