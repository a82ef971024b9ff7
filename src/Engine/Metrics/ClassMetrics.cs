namespace LpCam.MLNet.Engine.Metrics;

/// <summary>The scores of one label (background or an object class) read off a <see cref="ConfusionMatrix"/>.</summary>
/// <remarks>
/// With U = TP + FP + FN: IoU = TP / U, FalsePositive = FP / U and FalseNegative = FN / U, so the three add up to 1.
/// A label with U = 0 (neither in the ground truth nor predicted anywhere) is <see cref="IsAbsent"/>: every ratio is NaN
/// and it is left out of every mean. Otherwise a ratio whose own denominator is 0 is 0 (scikit-learn's
/// <c>zero_division=0</c>): a class that is in the ground truth but never predicted has precision 0, and a class that
/// is predicted but never in the ground truth has recall 0, so neither can raise a mean by being missed or invented.
/// </remarks>
public sealed class ClassMetrics
{
    internal ClassMetrics(int label, string name, long truePositives, long falsePositives, long falseNegatives)
    {
        Label = label;
        Name = name;
        TruePositives = truePositives;
        FalsePositives = falsePositives;
        FalseNegatives = falseNegatives;
        long union = truePositives + falsePositives + falseNegatives;
        if (union == 0)
        {
            IoU = FalsePositive = FalseNegative = Precision = Recall = double.NaN;
            return;
        }
        IoU = (double)truePositives / union;
        FalsePositive = (double)falsePositives / union;
        FalseNegative = (double)falseNegatives / union;
        long predicted = truePositives + falsePositives;
        long actual = truePositives + falseNegatives;
        Precision = predicted == 0 ? 0 : (double)truePositives / predicted;
        Recall = actual == 0 ? 0 : (double)truePositives / actual;
    }

    /// <summary>The label value: 0 is background, 1..C the object classes.</summary>
    public int Label { get; }

    /// <summary>The label's name, or its number as text when no names were given.</summary>
    public string Name { get; }

    /// <summary>Pixels of this label predicted as this label.</summary>
    public long TruePositives { get; }

    /// <summary>Pixels of other labels predicted as this label.</summary>
    public long FalsePositives { get; }

    /// <summary>Pixels of this label predicted as another label.</summary>
    public long FalseNegatives { get; }

    /// <summary>True when TP + FP + FN = 0: the label occurs neither in the ground truth nor in the predictions.</summary>
    public bool IsAbsent => TruePositives + FalsePositives + FalseNegatives == 0;

    /// <summary>TP / (TP + FP + FN); NaN when <see cref="IsAbsent"/>.</summary>
    public double IoU { get; }

    /// <summary>FP / (TP + FP + FN), the paper's FP column; NaN when <see cref="IsAbsent"/>.</summary>
    public double FalsePositive { get; }

    /// <summary>FN / (TP + FP + FN), the paper's FN column; NaN when <see cref="IsAbsent"/>.</summary>
    public double FalseNegative { get; }

    /// <summary>TP / (TP + FP); 0 when nothing was predicted as this label; NaN when <see cref="IsAbsent"/>.</summary>
    public double Precision { get; }

    /// <summary>TP / (TP + FN); 0 when the label is not in the ground truth; NaN when <see cref="IsAbsent"/>.</summary>
    public double Recall { get; }
}
