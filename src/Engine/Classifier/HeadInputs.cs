namespace LpCam.MLNet.Engine.Classifier;

/// <summary>Checks of the trainer's inputs, gathered before any tensor is built.</summary>
internal static class HeadInputs
{
    /// <summary>Checks N x D features and N x C labels; returns (N, D, C).</summary>
    /// <param name="pooled">Features.</param>
    /// <param name="labels">Multi-hot labels in [0, 1].</param>
    /// <param name="what">"training" or "validation", for messages.</param>
    /// <param name="expectedDim">D required (validation must match training), or null to take row 0's length.</param>
    /// <param name="expectedClasses">C required, or null to take row 0's length.</param>
    public static (int Rows, int Dim, int Classes) Check(
        IReadOnlyList<float[]>? pooled, IReadOnlyList<float[]>? labels, string what, int? expectedDim = null, int? expectedClasses = null)
    {
        ArgumentNullException.ThrowIfNull(pooled);
        ArgumentNullException.ThrowIfNull(labels);
        if (pooled.Count == 0)
            throw new ArgumentException($"The {what} features have no rows; at least one is needed.", nameof(pooled));
        if (labels.Count != pooled.Count)
            throw new ArgumentException($"The {what} labels have {labels.Count} rows; expected one per feature row ({pooled.Count}).", nameof(labels));
        int dim = expectedDim ?? pooled[0]?.Length ?? 0;
        int classes = expectedClasses ?? labels[0]?.Length ?? 0;
        if (dim < 1) throw new ArgumentException($"The {what} feature row 0 is empty; expected D >= 1 values.", nameof(pooled));
        if (classes < 1) throw new ArgumentException($"The {what} label row 0 is empty; expected C >= 1 values.", nameof(labels));
        string dimSource = expectedDim is null ? "the length of row 0" : "the training feature length";
        string classSource = expectedClasses is null ? "the length of row 0" : "the training class count";
        for (int i = 0; i < pooled.Count; i++)
        {
            var f = pooled[i];
            if (f is null || f.Length != dim)
                throw new ArgumentException($"The {what} feature row {i} has length {f?.Length ?? 0}; expected {dim} ({dimSource}).", nameof(pooled));
            for (int d = 0; d < dim; d++)
                if (!float.IsFinite(f[d]))
                    throw new ArgumentException($"The {what} feature row {i} has {f[d]} at channel {d}; features must be finite.", nameof(pooled));
            var y = labels[i];
            if (y is null || y.Length != classes)
                throw new ArgumentException($"The {what} label row {i} has length {y?.Length ?? 0}; expected C = {classes} ({classSource}).", nameof(labels));
            for (int c = 0; c < classes; c++)
                if (!(y[c] >= 0 && y[c] <= 1))
                    throw new ArgumentException($"The {what} label row {i} has {y[c]} for class {c}; labels must be finite values in [0, 1].", nameof(labels));
        }
        return (pooled.Count, dim, classes);
    }

    /// <summary>Multi-hot bool labels as 0/1 floats.</summary>
    public static float[][] ToFloat(IReadOnlyList<bool[]> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var result = new float[labels.Count][];
        for (int i = 0; i < result.Length; i++)
        {
            var row = labels[i] ?? throw new ArgumentException($"Label row {i} is null.", nameof(labels));
            result[i] = row.Select(b => b ? 1f : 0f).ToArray();
        }
        return result;
    }

    /// <summary>Labels at or above 0.5 as positives (for average precision).</summary>
    public static bool[][] ToBool(IReadOnlyList<float[]> labels) =>
        labels.Select(row => row.Select(v => v >= 0.5f).ToArray()).ToArray();

    /// <summary>Copies N rows of equal length into one row-major array.</summary>
    public static float[] Flatten(IReadOnlyList<float[]> rows, int width)
    {
        var flat = new float[(long)rows.Count * width];
        for (int i = 0; i < rows.Count; i++) Array.Copy(rows[i], 0, flat, (long)i * width, width);
        return flat;
    }
}
