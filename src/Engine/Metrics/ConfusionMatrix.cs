namespace LpCam.MLNet.Engine.Metrics;

/// <summary>
/// A streaming, mergeable confusion matrix of segmentation labels: background (0) plus the object classes, at the original
/// image resolution (see docs/algorithm.md section 5). Rows are ground truth, columns are predictions.
/// </summary>
/// <remarks>
/// Pixels whose ground truth is <see cref="IgnoreLabel"/> (255, VOC's object boundaries) are not counted. Counts are
/// 64-bit. Besides pixels it counts images, images whose prediction holds no object pixel (empty seeds) and images the
/// caller could not predict because their maps held NaN (<see cref="RecordNanMap"/>): those are reported, never averaged in.
/// Not thread-safe: give each worker its own matrix and <see cref="Merge"/> them.
/// </remarks>
public sealed class ConfusionMatrix
{
    /// <summary>The ground-truth label of pixels that are not counted.</summary>
    public const byte IgnoreLabel = 255;

    private readonly long[] _counts;

    /// <summary>Creates an empty matrix.</summary>
    /// <param name="classCount">Number of labels including background, e.g. 21 for VOC; 1..255 (255 is the ignore label).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is outside 1..255.</exception>
    public ConfusionMatrix(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classCount, IgnoreLabel);
        ClassCount = classCount;
        _counts = new long[classCount * classCount];
    }

    /// <summary>Number of labels including background.</summary>
    public int ClassCount { get; }

    /// <summary>Number of images added with <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</summary>
    public long ImageCount { get; private set; }

    /// <summary>Number of counted pixels (ground truth not <see cref="IgnoreLabel"/>); the sum of every cell.</summary>
    public long PixelCount { get; private set; }

    /// <summary>Number of pixels skipped because their ground truth is <see cref="IgnoreLabel"/>.</summary>
    public long IgnoredPixelCount { get; private set; }

    /// <summary>Number of added images whose prediction holds no object pixel among the counted pixels.</summary>
    public long EmptyPredictionCount { get; private set; }

    /// <summary>Number of images reported through <see cref="RecordNanMap"/>: not counted in any cell.</summary>
    public long NanMapCount { get; private set; }

    /// <summary>The number of pixels of ground truth <paramref name="groundTruth"/> predicted as <paramref name="prediction"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label outside 0..<see cref="ClassCount"/>-1.</exception>
    public long Count(int groundTruth, int prediction)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(groundTruth);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(groundTruth, ClassCount);
        ArgumentOutOfRangeException.ThrowIfNegative(prediction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prediction, ClassCount);
        return _counts[groundTruth * ClassCount + prediction];
    }

    /// <summary>Adds one image; both arrays hold one label per pixel in the same order.</summary>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">See <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</exception>
    public void Add(byte[] prediction, byte[] groundTruth)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(groundTruth);
        Add(prediction.AsSpan(), groundTruth.AsSpan());
    }

    /// <summary>
    /// Adds one image; both spans hold one label per pixel in the same order. Pixels whose ground truth is
    /// <see cref="IgnoreLabel"/> are skipped. The whole image is checked before anything is counted, so a rejected image
    /// leaves the matrix unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, or a prediction or ground-truth value is at least
    /// <see cref="ClassCount"/> (and not the ignore label); the message names the value and the pixel position.</exception>
    public void Add(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> groundTruth)
    {
        if (prediction.Length != groundTruth.Length)
            throw new ArgumentException($"The prediction has {prediction.Length} pixels but the ground truth has {groundTruth.Length}; expected the same length.", nameof(groundTruth));
        int c = ClassCount;
        for (int i = 0; i < groundTruth.Length; i++)
        {
            byte g = groundTruth[i];
            if (g == IgnoreLabel)
                continue;
            if (g >= c)
                throw new ArgumentException($"Ground-truth value {g} at position {i} is not a label: expected 0..{c - 1} or {IgnoreLabel} (ignored).", nameof(groundTruth));
            byte p = prediction[i];
            if (p >= c)
                throw new ArgumentException($"Prediction value {p} at position {i} is not a label: expected 0..{c - 1}.", nameof(prediction));
        }

        long counted = 0;
        bool anyObject = false;
        for (int i = 0; i < groundTruth.Length; i++)
        {
            byte g = groundTruth[i];
            if (g == IgnoreLabel)
                continue;
            byte p = prediction[i];
            _counts[g * c + p]++;
            anyObject |= p != 0;
            counted++;
        }
        PixelCount += counted;
        IgnoredPixelCount += groundTruth.Length - counted;
        ImageCount++;
        if (!anyObject)
            EmptyPredictionCount++;
    }

    /// <summary>
    /// Adds one image given as its cells (row-major [g * <see cref="ClassCount"/> + p], already validated and without
    /// ignored pixels) and its number of ignored pixels: the same totals as <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    /// of the image's pixels.
    /// </summary>
    internal void AddImageCounts(ReadOnlySpan<int> cells, long ignoredPixels)
    {
        int c = ClassCount;
        long counted = 0;
        bool anyObject = false;
        for (int g = 0; g < c; g++)
            for (int p = 0; p < c; p++)
            {
                int n = cells[g * c + p];
                if (n == 0)
                    continue;
                _counts[g * c + p] += n;
                counted += n;
                anyObject |= p != 0;
            }
        PixelCount += counted;
        IgnoredPixelCount += ignoredPixels;
        ImageCount++;
        if (!anyObject)
            EmptyPredictionCount++;
    }

    /// <summary>Records an image that could not be predicted because its maps held NaN; no pixel is counted.</summary>
    public void RecordNanMap() => NanMapCount++;

    /// <summary>Adds every count of <paramref name="other"/> (e.g. a worker's partial matrix) to this one.</summary>
    /// <exception cref="ArgumentException">The class counts differ.</exception>
    public void Merge(ConfusionMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount)
            throw new ArgumentException($"Cannot merge a matrix of {other.ClassCount} classes into one of {ClassCount}.", nameof(other));
        for (int i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
        ImageCount += other.ImageCount;
        PixelCount += other.PixelCount;
        IgnoredPixelCount += other.IgnoredPixelCount;
        EmptyPredictionCount += other.EmptyPredictionCount;
        NanMapCount += other.NanMapCount;
    }

    /// <summary>Clears every count.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        ImageCount = PixelCount = IgnoredPixelCount = EmptyPredictionCount = NanMapCount = 0;
    }

    /// <summary>A copy of the cells, row-major: element [g * <see cref="ClassCount"/> + p] counts ground truth g predicted as p.</summary>
    public long[] ToArray() => (long[])_counts.Clone();
}
