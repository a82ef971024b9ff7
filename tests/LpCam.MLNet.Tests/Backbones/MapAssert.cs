namespace LpCam.MLNet.Tests.Backbones;

/// <summary>Comparisons of feature maps.</summary>
internal static class MapAssert
{
    public static float MaxAbsDiff(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.Equal(a.Count, b.Count);
        float max = 0;
        for (int i = 0; i < a.Count; i++) max = Math.Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    /// <summary>Mean over positions of a D x h x w map.</summary>
    public static float[] SpatialMean(float[] map, int d, int h, int w)
    {
        var mean = new float[d];
        for (int c = 0; c < d; c++)
        {
            double sum = 0;
            for (int i = 0; i < h * w; i++) sum += map[c * h * w + i];
            mean[c] = (float)(sum / (h * w));
        }
        return mean;
    }

    public static void AllFinite(float[] map) => Assert.True(map.All(float.IsFinite), "the feature map has non-finite values");
}
