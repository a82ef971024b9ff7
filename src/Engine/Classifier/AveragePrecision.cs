namespace LpCam.MLNet.Engine.Classifier;

/// <summary>Per-class average precision and their mean (mAP) over the classes that have a positive.</summary>
/// <param name="PerClass">AP of each class; NaN for a class with no positive example.</param>
/// <param name="Map">Mean of the non-NaN entries of <paramref name="PerClass"/>; NaN when every class is NaN.</param>
public sealed record AveragePrecisionReport(double[] PerClass, double Map);

/// <summary>
/// Non-interpolated average precision, identical to scikit-learn's <c>average_precision_score</c>:
/// AP = sum over distinct score thresholds k of (R_k - R_(k-1)) P_k. Without tied scores this is the mean, over the
/// positives, of the precision at each positive's rank. Tied scores form one threshold (all tied rows enter together).
/// </summary>
public static class AveragePrecision
{
    /// <summary>AP of one class.</summary>
    /// <param name="scores">One score per example, higher = more likely positive; finite.</param>
    /// <param name="positives">Whether each example is a positive.</param>
    /// <returns>AP in [0, 1], or NaN when there is no positive.</returns>
    /// <exception cref="ArgumentException">Different lengths, or a non-finite score (the message names the row).</exception>
    public static double ForClass(ReadOnlySpan<float> scores, ReadOnlySpan<bool> positives)
    {
        if (scores.Length != positives.Length)
            throw new ArgumentException($"Expected one label per score: {scores.Length} scores, {positives.Length} labels.", nameof(positives));
        int total = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!float.IsFinite(scores[i]))
                throw new ArgumentException($"Score of row {i} is {scores[i]}; scores must be finite.", nameof(scores));
            if (positives[i]) total++;
        }
        if (total == 0) return double.NaN;

        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var keys = scores.ToArray();
        // Descending score; the order within ties does not matter because tied rows are consumed together.
        Array.Sort(keys, order, Comparer<float>.Create((a, b) => b.CompareTo(a)));

        double ap = 0;
        int tp = 0, seen = 0, previousTp = 0;
        for (int i = 0; i < order.Length;)
        {
            float threshold = keys[i];
            for (; i < order.Length && keys[i] == threshold; i++)
            {
                seen++;
                if (positives[order[i]]) tp++;
            }
            if (tp > previousTp) ap += (double)(tp - previousTp) / total * tp / seen;
            previousTp = tp;
        }
        return ap;
    }

    /// <summary>AP of every class and their mean.</summary>
    /// <param name="scores">N x C scores (rows = examples).</param>
    /// <param name="labels">N x C multi-hot labels.</param>
    /// <exception cref="ArgumentException">No rows, ragged rows (the message gives expected and actual lengths), or a non-finite score.</exception>
    public static AveragePrecisionReport Compute(IReadOnlyList<float[]> scores, IReadOnlyList<bool[]> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count == 0) throw new ArgumentException("Average precision needs at least one row; got none.", nameof(scores));
        if (scores.Count != labels.Count)
            throw new ArgumentException($"Expected one label row per score row: {scores.Count} score rows, {labels.Count} label rows.", nameof(labels));
        int classes = scores[0]?.Length ?? throw new ArgumentException("Score row 0 is null.", nameof(scores));
        for (int i = 0; i < scores.Count; i++)
        {
            if (scores[i] is null || scores[i].Length != classes)
                throw new ArgumentException($"Score row {i} has length {scores[i]?.Length ?? 0}; expected {classes} (the length of row 0).", nameof(scores));
            if (labels[i] is null || labels[i].Length != classes)
                throw new ArgumentException($"Label row {i} has length {labels[i]?.Length ?? 0}; expected {classes} (the score width).", nameof(labels));
        }

        var perClass = new double[classes];
        var column = new float[scores.Count];
        var positive = new bool[scores.Count];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < column.Length; i++)
            {
                column[i] = scores[i][c];
                positive[i] = labels[i][c];
            }
            try
            {
                perClass[c] = ForClass(column, positive);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Class {c}: {e.Message}", nameof(scores), e);
            }
        }
        return new AveragePrecisionReport(perClass, Mean(perClass));
    }

    /// <summary>Mean of the non-NaN values (classes with no positive are left out); NaN when all are NaN.</summary>
    public static double Mean(IReadOnlyList<double> perClass)
    {
        ArgumentNullException.ThrowIfNull(perClass);
        double sum = 0;
        int count = 0;
        foreach (var ap in perClass)
            if (!double.IsNaN(ap))
            {
                sum += ap;
                count++;
            }
        return count == 0 ? double.NaN : sum / count;
    }
}
