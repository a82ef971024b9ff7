namespace LpCam.MLNet.Tests.Engine.Classifier;

/// <summary>Linearly separable multi-label data through the origin (no bias needed): y_n = [w_n . x &gt; 0].</summary>
internal static class SyntheticHeadData
{
    public static (float[][] Features, float[][] Labels) Make(int rows, int dim, int classes, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var truth = new double[classes, dim];
        for (int c = 0; c < classes; c++)
            for (int d = 0; d < dim; d++) truth[c, d] = Gaussian();
        var features = new float[rows][];
        var labels = new float[rows][];
        for (int i = 0; i < rows; i++)
        {
            features[i] = new float[dim];
            for (int d = 0; d < dim; d++) features[i][d] = (float)Gaussian();
            labels[i] = new float[classes];
            for (int c = 0; c < classes; c++)
            {
                double s = 0;
                for (int d = 0; d < dim; d++) s += truth[c, d] * features[i][d];
                labels[i][c] = s > 0 ? 1 : 0;
            }
        }
        return (features, labels);
    }
}
