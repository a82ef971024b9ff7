namespace LpCam.MLNet.Engine.Classifier;

/// <summary>Row indices of one train / held-out split.</summary>
/// <param name="Train">Rows to train on, ascending.</param>
/// <param name="HeldOut">Rows to evaluate on, ascending; disjoint from <paramref name="Train"/>.</param>
public sealed record SplitIndices(int[] Train, int[] HeldOut);

/// <summary>Deterministic, seeded train / held-out splits over row indices 0..count-1.</summary>
public static class DataSplit
{
    /// <summary>
    /// K-fold split: the rows are shuffled once with System.Random(<paramref name="seed"/>) and dealt into
    /// <paramref name="folds"/> folds whose sizes differ by at most one; split k holds fold k out.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="folds"/> &lt; 2 or greater than <paramref name="count"/>.</exception>
    public static IReadOnlyList<SplitIndices> KFold(int count, int folds, int seed = 0)
    {
        if (folds < 2 || folds > count)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"folds was {folds}; expected an integer from 2 to the row count {count}.");
        var order = Shuffled(count, seed);
        var fold = new int[count];
        for (int i = 0; i < count; i++) fold[order[i]] = i % folds;
        var splits = new SplitIndices[folds];
        for (int k = 0; k < folds; k++)
            splits[k] = new SplitIndices(
                Enumerable.Range(0, count).Where(r => fold[r] != k).ToArray(),
                Enumerable.Range(0, count).Where(r => fold[r] == k).ToArray());
        return splits;
    }

    /// <summary>
    /// One split holding out round(<paramref name="heldOutFraction"/> x count) rows (at least one, and at least one
    /// left to train on), chosen by a System.Random(<paramref name="seed"/>) shuffle.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> &lt; 2, or the fraction not strictly between 0 and 1.</exception>
    public static SplitIndices Holdout(int count, double heldOutFraction, int seed = 0)
    {
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count was {count}; a split needs at least 2 rows.");
        if (!(heldOutFraction > 0 && heldOutFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction, $"heldOutFraction was {heldOutFraction}; expected a number strictly between 0 and 1.");
        int heldOut = Math.Clamp((int)Math.Round(heldOutFraction * count, MidpointRounding.AwayFromZero), 1, count - 1);
        var order = Shuffled(count, seed);
        var held = order.Take(heldOut).Order().ToArray();
        var train = order.Skip(heldOut).Order().ToArray();
        return new SplitIndices(train, held);
    }

    /// <summary>The rows of <paramref name="rows"/> at <paramref name="indices"/>, in that order.</summary>
    public static T[] Select<T>(IReadOnlyList<T> rows, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(indices);
        var selected = new T[indices.Count];
        for (int i = 0; i < selected.Length; i++) selected[i] = rows[indices[i]];
        return selected;
    }

    private static int[] Shuffled(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = Enumerable.Range(0, count).ToArray();
        // Explicit Fisher-Yates so the split never depends on how a runtime version implements Random.Shuffle.
        var random = new Random(seed);
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
