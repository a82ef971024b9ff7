using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.Prototypes;

/// <summary>Seeded synthetic data for the prototype tests.</summary>
internal static class PrototypeTestData
{
    public static double Gaussian(Random r)
    {
        double u1 = 1.0 - r.NextDouble();
        double u2 = r.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public static float[] UnitVector(Random r, int d)
    {
        var v = new float[d];
        for (int i = 0; i < d; i++)
            v[i] = (float)Gaussian(r);
        return Normalise(v);
    }

    public static float[] Normalise(float[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }

    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>Points = scale x (direction + noise), scale in [1, 5]: clusters by direction, not by length.</summary>
    public static (float[] Rows, int[] Truth, float[][] Directions) Clusters(int seed, int clusters, int perCluster, int d, double noise)
    {
        var r = new Random(seed);
        var directions = Enumerable.Range(0, clusters).Select(_ => UnitVector(r, d)).ToArray();
        var rows = new float[clusters * perCluster * d];
        var truth = new int[clusters * perCluster];
        int n = 0;
        for (int c = 0; c < clusters; c++)
            for (int i = 0; i < perCluster; i++, n++)
            {
                double scale = 1 + 4 * r.NextDouble();
                for (int j = 0; j < d; j++)
                    rows[n * d + j] = (float)(scale * (directions[c][j] + noise * Gaussian(r)));
                truth[n] = c;
            }
        return (rows, truth, directions);
    }

    public static float[] RandomRows(int seed, int n, int d)
    {
        var r = new Random(seed);
        var rows = new float[n * d];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = (float)Gaussian(r);
        return rows;
    }

    public static Tensor Matrix(float[] rows, int d) => tensor(rows, new long[] { rows.Length / d, d });
}
