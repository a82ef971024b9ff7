namespace LpCam.MLNet.Engine.Features;

/// <summary>Global average pooling of one feature map: what the CAM head is trained on.</summary>
public static class GlobalAveragePool
{
    /// <summary>The mean over positions of each channel of a D x positions map (C order), accumulated in double.</summary>
    /// <exception cref="ArgumentException">The map does not hold <paramref name="dim"/> x <paramref name="positions"/> values.</exception>
    public static float[] Pool(ReadOnlySpan<float> map, int dim, int positions)
    {
        if (map.Length != (long)dim * positions || positions < 1)
            throw new ArgumentException($"Expected a feature map of D x positions = {dim} x {positions} values, got {map.Length}.", nameof(map));
        var pooled = new float[dim];
        for (int d = 0; d < dim; d++)
        {
            double sum = 0;
            foreach (float v in map.Slice(d * positions, positions)) sum += v;
            pooled[d] = (float)(sum / positions);
        }
        return pooled;
    }
}
