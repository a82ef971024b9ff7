namespace LpCam.MLNet.Data;

/// <summary>A generated dataset (see <see cref="SyntheticScenes"/>): in-memory samples plus the layout of every scene.</summary>
public sealed class SyntheticDataset : SegmentationDataset
{
    internal SyntheticDataset(IReadOnlyList<SegmentationSample> samples, IReadOnlyList<SyntheticLayout> layouts, int seed, int size)
        : base(SyntheticScenes.ClassNames, samples)
    {
        Layouts = layouts;
        Seed = seed;
        Size = size;
    }

    /// <summary>The layout of each sample, in sample order.</summary>
    public IReadOnlyList<SyntheticLayout> Layouts { get; }

    /// <summary>The seed the scenes were generated from.</summary>
    public int Seed { get; }

    /// <summary>The images' side in pixels.</summary>
    public int Size { get; }
}
