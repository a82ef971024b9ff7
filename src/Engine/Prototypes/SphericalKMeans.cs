using LpCam.MLNet.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// Cosine k-means for LPCAM's prototypes (paper Eq. 2): rows are unit-normalised, assigned to the centre of largest
/// cosine, and each centre becomes the normalised mean of its members (spherical k-means), which maximises the mean cosine
/// of points to their centres and never lowers it.
/// </summary>
/// <remarks>
/// <para>Departures from the authors' code (lpcam-algorithm.md, section 7): k-means++ seeding from a fixed seed instead of
/// unseeded random rows; an iteration cap and a tolerance; empty clusters re-seeded with the point farthest from its
/// centre instead of NaN centres; similarities computed ChunkRows x K at a time (never N x K x D). The authors' update
/// (plain Euclidean mean, stop on the squared centre shift) is available as <see cref="KMeansUpdateRule.Reference"/>.</para>
/// <para>The computation runs on the device of the input tensor. On CUDA the sums use atomic adds, so results may differ
/// in the last bits from run to run; on the CPU a seed gives identical results.</para>
/// <example><code>
/// var kmeans = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 12, Seed = 7 });
/// KMeansResult r = kmeans.Fit(features);   // features: float [N, D], any device
/// Console.WriteLine($"{r.Report.Iterations} iterations, J = {r.Report.FinalObjective:F4}");
/// </code></example>
/// </remarks>
public sealed class SphericalKMeans
{
    private const double NormEps = 1e-12;

    /// <summary>Creates a clusterer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of range.</exception>
    public SphericalKMeans(SphericalKMeansOptions? options = null)
    {
        Options = options ?? new SphericalKMeansOptions();
        Options.Validate();
    }

    /// <summary>The settings in use.</summary>
    public SphericalKMeansOptions Options { get; }

    /// <summary>Clusters the N rows of <paramref name="features"/> (float [N, D], raw feature units, any device).</summary>
    /// <returns>Unit centres, raw member means, assignments and a report.</returns>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not a float matrix, has no rows, fewer rows than K,
    /// or holds NaN or infinite values.</exception>
    public KMeansResult Fit(Tensor features)
    {
        const string expected = "[N, D] float rows to cluster";
        TensorChecks.RequireFloat(features, 2, nameof(features), expected);
        long n = features.shape[0];
        long d = features.shape[1];
        int k = Options.Clusters;
        if (n == 0)
            throw new ArgumentException($"features has shape {TensorChecks.Shape(features)}: no rows to cluster; expected at least K = {k} rows.", nameof(features));
        if (d == 0)
            throw new ArgumentException($"features has shape {TensorChecks.Shape(features)}; expected at least one column.", nameof(features));
        if (k > n)
            throw new ArgumentException($"K = {k} clusters asked for but features (shape {TensorChecks.Shape(features)}) has only N = {n} rows; expected K <= N.", nameof(features));
        TensorChecks.RequireFinite(features, nameof(features), expected);

        using var scope = NewDisposeScope();
        var raw = features.detach().to_type(ScalarType.Float32);
        var x = nn.functional.normalize(raw, p: 2, dim: 1, eps: NormEps);
        bool reference = Options.UpdateRule == KMeansUpdateRule.Reference;

        // centres: the rule's centre (unit for spherical, plain mean for reference); unit: what assignment uses.
        var centres = SeedPlusPlus(x, k, new Random(Options.Seed));
        var objectives = new List<double>();
        var shifts = new List<double>();
        Tensor? labels = null;
        Tensor? previousLabels = null;
        Tensor? memberSums = null;
        int reseeded = 0;
        bool converged = false;
        int iteration = 0;
        while (iteration < Options.MaxIterations)
        {
            iteration++;
            using var round = NewDisposeScope();
            var unit = reference ? nn.functional.normalize(centres, p: 2, dim: 1, eps: NormEps) : centres;
            var (newLabels, best) = Assign(x, unit);
            double objective = best.to_type(ScalarType.Float64).mean().item<double>();
            objectives.Add(objective);
            reseeded += ReseedEmpty(ref newLabels, best, k);
            var sums = zeros(k, d, dtype: ScalarType.Float32, device: x.device).index_add_(0, newLabels, x, 1);
            Tensor next;
            if (reference)
            {
                var counts = bincount(newLabels, minlength: k).to_type(ScalarType.Float32).unsqueeze(1);
                next = sums / counts;
            }
            else
            {
                next = nn.functional.normalize(sums, p: 2, dim: 1, eps: NormEps);
            }
            double shift = (next - centres).square().sum().to_type(ScalarType.Float64).item<double>();
            shifts.Add(shift);
            bool unchanged = previousLabels is not null && (newLabels == previousLabels).all().item<bool>();
            if (reference)
            {
                converged = shift < Options.Tolerance;
            }
            else
            {
                double previous = objectives.Count > 1 ? objectives[^2] : double.NaN;
                converged = unchanged || (objectives.Count > 1 && Math.Abs(objective - previous) <= Options.Tolerance * Math.Max(Math.Abs(previous), NormEps));
            }

            centres.Dispose();
            previousLabels?.Dispose();
            centres = next.MoveToOuterDisposeScope();
            previousLabels = newLabels.MoveToOuterDisposeScope();
            memberSums?.Dispose();
            memberSums = sums.MoveToOuterDisposeScope();
            labels = previousLabels;
            if (converged)
                break;
        }

        var unitCentres = reference ? nn.functional.normalize(centres, p: 2, dim: 1, eps: NormEps) : centres;
        var finalLabels = labels!;
        var sizes = bincount(finalLabels, minlength: k);
        var rawMeans = zeros(k, d, dtype: ScalarType.Float32, device: x.device).index_add_(0, finalLabels, raw, 1)
            / sizes.to_type(ScalarType.Float32).unsqueeze(1);
        // Mean cosine of each row to its final centre = sum_k c_k . S_k / N, with S_k the sum of cluster k's unit rows.
        double finalObjective = (unitCentres * memberSums!).sum().to_type(ScalarType.Float64).item<double>() / n;

        var report = new KMeansReport(
            Options.UpdateRule, iteration, converged, objectives, shifts, finalObjective,
            TensorChecks.ToInt32Array(sizes), reseeded);
        return new KMeansResult(
            ToRows(unitCentres), ToRows(rawMeans),
            TensorChecks.ToInt32Array(finalLabels), report);
    }

    /// <summary>k-means++ on the unit sphere: each next centre is a row drawn with probability proportional to
    /// 1 - (largest cosine to the centres chosen so far), i.e. to its squared Euclidean distance / 2.</summary>
    private static Tensor SeedPlusPlus(Tensor x, int k, Random random)
    {
        long n = x.shape[0];
        using var scope = NewDisposeScope();
        var centres = zeros(k, x.shape[1], dtype: ScalarType.Float32, device: x.device);
        long pick = random.NextInt64(n);
        // best[i]: largest cosine of row i to the centres chosen so far; kept on the host, one mat-vec per centre.
        float[] best = new float[n];
        Array.Fill(best, float.NegativeInfinity);
        for (int j = 0; ; j++)
        {
            centres[j].copy_(x[pick]);
            if (j == k - 1)
                break;
            float[] cosines;
            using (NewDisposeScope())
                cosines = TensorChecks.ToFloatArray(x.mv(centres[j]));
            double total = 0;
            for (long i = 0; i < n; i++)
            {
                best[i] = Math.Max(best[i], cosines[i]);
                total += Math.Max(0, 1 - best[i]);
            }
            if (total <= 0)
            {
                pick = random.NextInt64(n); // every row coincides with a centre: any row will do
                continue;
            }
            double u = random.NextDouble() * total;
            double running = 0;
            pick = -1;
            long lastPositive = 0;
            for (long i = 0; i < n; i++)
            {
                double w = Math.Max(0, 1 - best[i]);
                if (w <= 0)
                    continue;
                lastPositive = i;
                running += w;
                if (u < running)
                {
                    pick = i;
                    break;
                }
            }
            if (pick < 0)
                pick = lastPositive; // u fell past the last positive weight by rounding
        }
        return centres.MoveToOuterDisposeScope();
    }

    /// <summary>Index and cosine of the nearest unit centre of every row, ChunkRows rows at a time.</summary>
    private (Tensor Labels, Tensor Best) Assign(Tensor x, Tensor unit)
    {
        long n = x.shape[0];
        using var scope = NewDisposeScope();
        var labels = empty(n, dtype: ScalarType.Int64, device: x.device);
        var best = empty(n, dtype: ScalarType.Float32, device: x.device);
        var unitT = unit.t().contiguous();
        for (long start = 0; start < n; start += Options.ChunkRows)
        {
            using var chunk = NewDisposeScope();
            long len = Math.Min(Options.ChunkRows, n - start);
            var (values, indexes) = x.narrow(0, start, len).mm(unitT).max(1);
            best.narrow(0, start, len).copy_(values);
            labels.narrow(0, start, len).copy_(indexes);
        }
        return (labels.MoveToOuterDisposeScope(), best.MoveToOuterDisposeScope());
    }

    /// <summary>Gives every empty cluster the row farthest from its own centre, taken from a cluster of two or more rows.
    /// Moving such a row never lowers the objective (its cosine to the new centre, itself, is 1).</summary>
    /// <returns>The number of clusters re-seeded.</returns>
    private static int ReseedEmpty(ref Tensor labels, Tensor best, int k)
    {
        using var scope = NewDisposeScope();
        int[] sizes = TensorChecks.ToInt32Array(bincount(labels, minlength: k));
        var empty = Enumerable.Range(0, k).Where(c => sizes[c] == 0).ToList();
        if (empty.Count == 0)
            return 0;
        int[] host = TensorChecks.ToInt32Array(labels);
        int[] order = TensorChecks.ToInt32Array(best.sort(dim: 0, descending: false, stable: true).Indices); // farthest (lowest cosine) first
        int e = 0;
        foreach (int row in order)
        {
            if (e == empty.Count)
                break;
            int from = host[row];
            if (sizes[from] < 2)
                continue;
            sizes[from]--;
            host[row] = empty[e++];
        }
        var device = labels.device;
        labels.Dispose();
        labels = tensor(host, dtype: ScalarType.Int64, device: device).MoveToOuterDisposeScope();
        return e;
    }

    private static float[][] ToRows(Tensor m)
    {
        int rows = (int)m.shape[0];
        int cols = (int)m.shape[1];
        float[] flat = TensorChecks.ToFloatArray(m);
        var result = new float[rows][];
        for (int i = 0; i < rows; i++)
            result[i] = flat.AsSpan(i * cols, cols).ToArray();
        return result;
    }
}
