namespace LpCam.MLNet.Engine.Metrics;

/// <summary>
/// The seed-mask scores of the paper's Table 1 (docs/algorithm.md section 5) read off a <see cref="ConfusionMatrix"/>.
/// </summary>
/// <remarks>
/// <para><see cref="MeanIoU"/> averages IoU over background and every object class. <see cref="FalsePositive"/>,
/// <see cref="FalseNegative"/>, <see cref="Precision"/>, <see cref="Recall"/> and <see cref="ObjectMeanIoU"/> average over
/// the object classes only (label 0, background, is left out), so ObjectMeanIoU = 1 - FalsePositive - FalseNegative.</para>
/// <para>A label with TP + FP + FN = 0 (absent from both ground truth and predictions, e.g. a class with no image in a
/// small evaluation set) has NaN scores and is left out of every mean; <see cref="AbsentClassCount"/> says how many were.
/// A class present in the ground truth but never predicted has precision 0 (not excluded); a class predicted but never in
/// the ground truth has recall 0 (see <see cref="ClassMetrics"/>). An object-class mean is NaN when every object class is
/// absent.</para>
/// </remarks>
public sealed class SegmentationMetrics
{
    private SegmentationMetrics(IReadOnlyList<ClassMetrics> classes, ConfusionMatrix matrix)
    {
        Classes = classes;
        ImageCount = matrix.ImageCount;
        PixelCount = matrix.PixelCount;
        IgnoredPixelCount = matrix.IgnoredPixelCount;
        EmptyPredictionCount = matrix.EmptyPredictionCount;
        NanMapCount = matrix.NanMapCount;
        MeanIoU = Mean(classes, c => c.IoU);
        var objects = classes.Skip(1).ToArray();
        ObjectMeanIoU = Mean(objects, c => c.IoU);
        FalsePositive = Mean(objects, c => c.FalsePositive);
        FalseNegative = Mean(objects, c => c.FalseNegative);
        Precision = Mean(objects, c => c.Precision);
        Recall = Mean(objects, c => c.Recall);
        AbsentClassCount = classes.Count(c => c.IsAbsent);
    }

    /// <summary>Scores a matrix.</summary>
    /// <param name="matrix">The accumulated matrix; it must hold at least one counted pixel.</param>
    /// <param name="classNames">Optional names of all <see cref="ConfusionMatrix.ClassCount"/> labels, background first.</param>
    /// <exception cref="InvalidOperationException">The matrix holds no counted pixel.</exception>
    /// <exception cref="ArgumentException"><paramref name="classNames"/> does not have one name per label.</exception>
    public static SegmentationMetrics From(ConfusionMatrix matrix, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.ClassCount;
        if (classNames is not null && classNames.Count != n)
            throw new ArgumentException($"{classNames.Count} class names were given for a matrix of {n} labels; expected one per label, background first.", nameof(classNames));
        if (matrix.PixelCount == 0)
            throw new InvalidOperationException($"The confusion matrix holds no counted pixel ({matrix.ImageCount} images, {matrix.NanMapCount} NaN maps): add images before asking for a summary.");
        var cells = matrix.ToArray();
        var classes = new ClassMetrics[n];
        for (int c = 0; c < n; c++)
        {
            long tp = cells[c * n + c], rowSum = 0, columnSum = 0;
            for (int k = 0; k < n; k++)
            {
                rowSum += cells[c * n + k];
                columnSum += cells[k * n + c];
            }
            string name = classNames?[c] ?? c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            classes[c] = new ClassMetrics(c, name, tp, columnSum - tp, rowSum - tp);
        }
        return new SegmentationMetrics(classes, matrix);
    }

    /// <summary>Per-label scores, background (label 0) first.</summary>
    public IReadOnlyList<ClassMetrics> Classes { get; }

    /// <summary>Mean IoU over background and the object classes that are not absent.</summary>
    public double MeanIoU { get; }

    /// <summary>Mean IoU over the object classes that are not absent (background left out).</summary>
    public double ObjectMeanIoU { get; }

    /// <summary>Mean of FP / (TP + FP + FN) over the object classes that are not absent.</summary>
    public double FalsePositive { get; }

    /// <summary>Mean of FN / (TP + FP + FN) over the object classes that are not absent.</summary>
    public double FalseNegative { get; }

    /// <summary>Mean of TP / (TP + FP) over the object classes that are not absent.</summary>
    public double Precision { get; }

    /// <summary>Mean of TP / (TP + FN) over the object classes that are not absent.</summary>
    public double Recall { get; }

    /// <summary>Number of labels (background included) with TP + FP + FN = 0, left out of every mean.</summary>
    public int AbsentClassCount { get; }

    /// <summary>Images counted in the matrix.</summary>
    public long ImageCount { get; }

    /// <summary>Pixels counted in the matrix.</summary>
    public long PixelCount { get; }

    /// <summary>Pixels skipped because their ground truth was the ignore label.</summary>
    public long IgnoredPixelCount { get; }

    /// <summary>Counted images whose prediction held no object pixel.</summary>
    public long EmptyPredictionCount { get; }

    /// <summary>Images left out because their maps held NaN.</summary>
    public long NanMapCount { get; }

    private static double Mean(IReadOnlyList<ClassMetrics> classes, Func<ClassMetrics, double> value)
    {
        double sum = 0;
        int count = 0;
        foreach (var c in classes)
        {
            if (c.IsAbsent)
                continue;
            sum += value(c);
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }
}
