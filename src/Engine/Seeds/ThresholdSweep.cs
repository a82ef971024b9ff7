using System.Buffers;
using LpCam.MLNet.Engine.Metrics;

namespace LpCam.MLNet.Engine.Seeds;

/// <summary>
/// Scores seed masks at many thresholds in one pass over the images (docs/algorithm.md section 4): CAM and LPCAM are
/// compared each at its own best threshold.
/// </summary>
/// <remarks>
/// The state is one <see cref="ConfusionMatrix"/> per threshold. Each image's per-pixel maximum over its maps is computed
/// once; the mask at threshold t is then that map's label where the maximum exceeds t, else background, which is exactly
/// <see cref="SeedMasks.FromMaps(float[], int, int, IReadOnlyList{int}, float)"/> at t. One pass over the pixels counts
/// them by (number of thresholds exceeded, truth, label); every threshold's counts follow from that histogram, so an
/// image costs O(pixels + thresholds x classes^2) rather than O(pixels x thresholds). An image whose maps hold NaN is not
/// counted: Add returns false and each matrix records it in <see cref="ConfusionMatrix.NanMapCount"/>.
/// Sweeps of disjoint image sets can be merged.
/// </remarks>
public sealed class ThresholdSweep
{
    private readonly ConfusionMatrix[] _matrices;
    private readonly float[] _thresholds;
    private readonly float[] _sortedThresholds;
    private readonly int[] _sortedIndex;

    /// <summary>0.05, 0.10, ..., 0.95: the default thresholds.</summary>
    public static IReadOnlyList<float> DefaultThresholds { get; } =
        Enumerable.Range(1, 19).Select(i => (float)Math.Round(i * 0.05, 2)).ToArray();

    /// <summary>Creates an empty sweep.</summary>
    /// <param name="classCount">Number of labels including background, e.g. 21 for VOC.</param>
    /// <param name="thresholds">Thresholds to score, each finite and not negative, no duplicates;
    /// null for <see cref="DefaultThresholds"/>.</param>
    /// <exception cref="ArgumentException">No threshold, a duplicate or an invalid one.</exception>
    public ThresholdSweep(int classCount, IReadOnlyList<float>? thresholds = null)
    {
        _thresholds = (thresholds ?? DefaultThresholds).ToArray();
        if (_thresholds.Length == 0)
            throw new ArgumentException("At least one threshold is needed.", nameof(thresholds));
        foreach (var t in _thresholds)
            SeedMasks.ValidateThreshold(t, nameof(thresholds));
        if (_thresholds.Distinct().Count() != _thresholds.Length)
            throw new ArgumentException($"Thresholds must not repeat: {string.Join(", ", _thresholds)}.", nameof(thresholds));
        _matrices = new ConfusionMatrix[_thresholds.Length];
        for (int i = 0; i < _matrices.Length; i++)
            _matrices[i] = new ConfusionMatrix(classCount);
        ClassCount = classCount;
        _sortedIndex = Enumerable.Range(0, _thresholds.Length).OrderBy(i => _thresholds[i]).ToArray();
        _sortedThresholds = _sortedIndex.Select(i => _thresholds[i]).ToArray();
    }

    /// <summary>Number of labels including background.</summary>
    public int ClassCount { get; }

    /// <summary>The thresholds, in the order given.</summary>
    public IReadOnlyList<float> Thresholds => _thresholds;

    /// <summary>The matrix accumulated at <see cref="Thresholds"/>[<paramref name="index"/>].</summary>
    public ConfusionMatrix MatrixAt(int index) => _matrices[index];

    /// <summary>Adds one image at every threshold.</summary>
    /// <param name="maps">k maps of <paramref name="height"/> x <paramref name="width"/> values, C order.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="classLabels">The label (1..<see cref="ClassCount"/>-1) of each map.</param>
    /// <param name="groundTruth">One label per pixel, row-major; 255 is ignored.</param>
    /// <returns>True when counted; false when a map held NaN (recorded as a NaN map, no pixel counted).</returns>
    /// <exception cref="ArgumentException">Lengths disagree or a label is out of range; nothing is counted then.</exception>
    public bool Add(ReadOnlySpan<float> maps, int height, int width, IReadOnlyList<int> classLabels, ReadOnlySpan<byte> groundTruth)
    {
        ArgumentNullException.ThrowIfNull(classLabels);
        foreach (var label in classLabels)
            if (label >= ClassCount)
                throw new ArgumentException($"Map label {label} is not below the class count {ClassCount}.", nameof(classLabels));
        int pixels = SeedMasks.ValidateShape(maps, height, width, classLabels);
        if (groundTruth.Length != pixels)
            throw new ArgumentException($"The ground truth has {groundTruth.Length} pixels; expected {height} x {width} = {pixels}.", nameof(groundTruth));
        if (SeedMasks.FindNaN(maps, pixels).Map >= 0)
        {
            foreach (var m in _matrices)
                m.RecordNanMap();
            return false;
        }

        // Validate the ground truth before counting anything (as ConfusionMatrix.Add does).
        int classes = ClassCount;
        for (int i = 0; i < groundTruth.Length; i++)
        {
            byte g = groundTruth[i];
            if (g != ConfusionMatrix.IgnoreLabel && g >= classes)
                throw new ArgumentException($"Ground-truth value {g} at position {i} is not a label: expected 0..{classes - 1} or {ConfusionMatrix.IgnoreLabel} (ignored).", nameof(groundTruth));
        }

        // One pass over the pixels: a pixel whose maximum b exceeds exactly the k smallest thresholds is predicted as its
        // label at those k thresholds and as background at the others, so the histogram of (k, truth, label) gives every
        // threshold's matrix exactly (the same integers as building each threshold's mask).
        int levels = _thresholds.Length;
        int cells = classes * classes;
        var bestArray = ArrayPool<float>.Shared.Rent(pixels);
        var labelArray = ArrayPool<byte>.Shared.Rent(pixels);
        var histogram = ArrayPool<int>.Shared.Rent((levels + 1) * cells);
        var matrix = ArrayPool<int>.Shared.Rent(cells);
        try
        {
            var best = bestArray.AsSpan(0, pixels);
            var label = labelArray.AsSpan(0, pixels);
            var hist = histogram.AsSpan(0, (levels + 1) * cells);
            hist.Clear();
            SeedMasks.MaxOverMaps(maps, pixels, classLabels, best, label);
            var sorted = _sortedThresholds;
            long ignored = 0;
            for (int i = 0; i < pixels; i++)
            {
                byte g = groundTruth[i];
                if (g == ConfusionMatrix.IgnoreLabel)
                {
                    ignored++;
                    continue;
                }
                float b = best[i];
                int k = 0;
                while (k < levels && b > sorted[k])
                    k++;
                hist[k * cells + g * classes + label[i]]++;
            }

            // above[g, p]: pixels whose label p is kept at the current threshold (k > j); suffix sums over k.
            var cell = matrix.AsSpan(0, cells);
            var above = new int[cells];
            var total = new int[classes];
            for (int k = 0; k <= levels; k++)
                for (int g = 0; g < classes; g++)
                    for (int p = 0; p < classes; p++)
                        total[g] += hist[k * cells + g * classes + p];
            for (int j = levels - 1; j >= 0; j--)
            {
                var level = hist.Slice((j + 1) * cells, cells);
                for (int x = 0; x < cells; x++)
                    above[x] += level[x];
                for (int g = 0; g < classes; g++)
                {
                    int kept = 0;
                    for (int p = 1; p < classes; p++)
                    {
                        cell[g * classes + p] = above[g * classes + p];
                        kept += above[g * classes + p];
                    }
                    cell[g * classes] = total[g] - kept;
                }
                _matrices[_sortedIndex[j]].AddImageCounts(cell, ignored);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bestArray);
            ArrayPool<byte>.Shared.Return(labelArray);
            ArrayPool<int>.Shared.Return(histogram);
            ArrayPool<int>.Shared.Return(matrix);
        }
        return true;
    }

    /// <summary>Adds one image at every threshold; see <see cref="Add(ReadOnlySpan{float}, int, int, IReadOnlyList{int}, ReadOnlySpan{byte})"/>.</summary>
    public bool Add(SeedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(image.Maps);
        ArgumentNullException.ThrowIfNull(image.GroundTruth);
        return Add(image.Maps, image.Height, image.Width, image.ClassLabels, image.GroundTruth);
    }

    /// <summary>Adds the counts of a sweep over other images with the same class count and thresholds.</summary>
    /// <exception cref="ArgumentException">The class counts or thresholds differ.</exception>
    public void Merge(ThresholdSweep other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount || !other._thresholds.AsSpan().SequenceEqual(_thresholds))
            throw new ArgumentException("Only sweeps with the same class count and thresholds can be merged.", nameof(other));
        for (int i = 0; i < _matrices.Length; i++)
            _matrices[i].Merge(other._matrices[i]);
    }

    /// <summary>Scores every threshold and picks the best.</summary>
    /// <param name="classNames">Optional names of every label, background first.</param>
    /// <exception cref="InvalidOperationException">No pixel was counted.</exception>
    public ThresholdSweepResult Summarize(IReadOnlyList<string>? classNames = null)
    {
        var metrics = _matrices.Select(m => SegmentationMetrics.From(m, classNames)).ToArray();
        return new ThresholdSweepResult(_thresholds, metrics);
    }

    /// <summary>Sweeps a sequence of images in one pass and scores it.</summary>
    /// <param name="images">The images; each is read once.</param>
    /// <param name="classCount">Number of labels including background.</param>
    /// <param name="thresholds">Thresholds, or null for <see cref="DefaultThresholds"/>.</param>
    /// <param name="classNames">Optional names of every label, background first.</param>
    public static ThresholdSweepResult Run(IEnumerable<SeedImage> images, int classCount, IReadOnlyList<float>? thresholds = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var sweep = new ThresholdSweep(classCount, thresholds);
        foreach (var image in images)
            sweep.Add(image);
        return sweep.Summarize(classNames);
    }
}
