namespace LpCam.MLNet.Engine.Seeds;

/// <summary>
/// Turns an image's class maps into a seed mask (docs/algorithm.md section 4): a constant background plane at the
/// threshold is stacked with the maps and each pixel takes the label of the largest value.
/// </summary>
/// <remarks>
/// Ties go to background (a map must exceed the threshold strictly), and among classes to the first map in order.
/// The paper uses t = 0.3 for LPCAM; CAM is usually compared at its own best threshold (<see cref="ThresholdSweep"/>).
/// </remarks>
public static class SeedMasks
{
    /// <summary>Largest label a class map may carry: 255 is the ignore label of the masks.</summary>
    public const int MaxLabel = 254;

    /// <summary>Computes the seed mask of one image.</summary>
    /// <param name="maps">k maps of <paramref name="height"/> x <paramref name="width"/> values, C order (map, row, column);
    /// usually in [0, 1].</param>
    /// <param name="height">Rows of each map; at least 1.</param>
    /// <param name="width">Columns of each map; at least 1.</param>
    /// <param name="classLabels">The label value (1..254; 0 is background) of each of the k maps. Empty: all background.</param>
    /// <param name="threshold">The background plane's value: finite and not negative (values above 1 are allowed).</param>
    /// <returns>One label per pixel, row-major.</returns>
    /// <exception cref="ArgumentException">The lengths disagree, a label is out of range, the threshold is negative, infinite
    /// or NaN, or a map holds NaN (the message names the map index, its label and the position).</exception>
    public static byte[] FromMaps(float[] maps, int height, int width, IReadOnlyList<int> classLabels, float threshold)
    {
        ArgumentNullException.ThrowIfNull(maps);
        return FromMaps(maps.AsSpan(), height, width, classLabels, threshold);
    }

    /// <inheritdoc cref="FromMaps(float[], int, int, IReadOnlyList{int}, float)"/>
    public static byte[] FromMaps(ReadOnlySpan<float> maps, int height, int width, IReadOnlyList<int> classLabels, float threshold)
    {
        ValidateThreshold(threshold, nameof(threshold));
        int pixels = ValidateShape(maps, height, width, classLabels);
        var (nanMap, nanAt) = FindNaN(maps, pixels);
        if (nanMap >= 0)
            throw new ArgumentException($"Map {nanMap} (label {classLabels[nanMap]}) holds NaN at row {nanAt / width}, column {nanAt % width}.", nameof(maps));
        var mask = new byte[pixels];
        Span<float> best = pixels <= 4096 ? stackalloc float[pixels] : new float[pixels];
        MaxOverMaps(maps, pixels, classLabels, best, mask);
        for (int i = 0; i < pixels; i++)
            if (!(best[i] > threshold))
                mask[i] = 0;
        return mask;
    }

    /// <summary>Checks shapes and labels; returns the pixel count of one map.</summary>
    internal static int ValidateShape(ReadOnlySpan<float> maps, int height, int width, IReadOnlyList<int> classLabels)
    {
        ArgumentNullException.ThrowIfNull(classLabels);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long pixels = (long)height * width;
        long expected = pixels * classLabels.Count;
        if (maps.Length != expected)
            throw new ArgumentException($"The maps hold {maps.Length} values; expected {classLabels.Count} maps x {height} x {width} = {expected}.", nameof(maps));
        for (int k = 0; k < classLabels.Count; k++)
        {
            int label = classLabels[k];
            if (label < 1 || label > MaxLabel)
                throw new ArgumentException($"Map {k} has label {label}; expected 1..{MaxLabel} (0 is background, 255 is ignored).", nameof(classLabels));
        }
        return (int)pixels;
    }

    /// <summary>The first map holding NaN and the position in it, or (-1, -1).</summary>
    internal static (int Map, int Position) FindNaN(ReadOnlySpan<float> maps, int pixels)
    {
        for (int k = 0; k * pixels < maps.Length; k++)
        {
            var map = maps.Slice(k * pixels, pixels);
            for (int i = 0; i < map.Length; i++)
                if (float.IsNaN(map[i]))
                    return (k, i);
        }
        return (-1, -1);
    }

    /// <summary>Throws unless <paramref name="threshold"/> is finite and not negative.</summary>
    internal static void ValidateThreshold(float threshold, string paramName)
    {
        if (!float.IsFinite(threshold) || threshold < 0)
            throw new ArgumentException($"Threshold {threshold} is not allowed; expected a finite value of at least 0 (usually in [0, 1]).", paramName);
    }

    /// <summary>For each pixel: the largest map value (-infinity with no map) and the label of the first map holding it.</summary>
    internal static void MaxOverMaps(ReadOnlySpan<float> maps, int pixels, IReadOnlyList<int> classLabels, Span<float> best, Span<byte> label)
    {
        best.Fill(float.NegativeInfinity);
        label.Clear();
        for (int k = 0; k < classLabels.Count; k++)
        {
            var map = maps.Slice(k * pixels, pixels);
            byte l = (byte)classLabels[k];
            for (int i = 0; i < pixels; i++)
            {
                if (map[i] > best[i])
                {
                    best[i] = map[i];
                    label[i] = l;
                }
            }
        }
    }
}
