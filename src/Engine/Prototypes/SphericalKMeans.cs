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
        var raw = features.to_type(ScalarType.Float32);
        var x = nn.functional.normalize(raw, p: 2, dim: 1, eps: NormEps);
        bool reference = Options.UpdateRule == KMeansUpdateRule.Reference;

        // centres: the rule's centre (unit for spherical, plain mean for reference); unit: what assignment uses.
        var centres = SeedPlusPlus(x, k, new Random(Options.Seed));
        var objectives = new List<double>();
        var shifts = new List<double>();
        Tensor? labels = null;
        Tensor? previousLabels = null;
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
            labels = previousLabels;
            if (converged)
                break;
        }

        var unitCentres = reference ? nn.functional.normalize(centres, p: 2, dim: 1, eps: NormEps) : centres;
        var finalLabels = labels!;
        var sizes = bincount(finalLabels, minlength: k);
        var rawMeans = zeros(k, d, dtype: ScalarType.Float32, device: x.device).index_add_(0, finalLabels, raw, 1)
            / sizes.to_type(ScalarType.Float32).unsqueeze(1);
        double finalObjective = MeanCosineToAssigned(x, unitCentres, finalLabels);

        var report = new KMeansReport(
            Options.UpdateRule, iteration, converged, objectives, shifts, finalObjective,
            sizes.cpu().to_type(ScalarType.Int32).data<int>().ToArray(), reseeded);
        return new KMeansResult(
            ToRows(unitCentres), ToRows(rawMeans),
            finalLabels.cpu().to_type(ScalarType.Int32).data<int>().ToArray(), report);
    }

    /// <summary>k-means++ on the unit sphere: each next centre is a row drawn with probability proportional to
    /// 1 - (largest cosine to the centres chosen so far), i.e. to its squared Euclidean distance / 2.</summary>
    private static Tensor SeedPlusPlus(Tensor x, int k, Random random)
    {
        long n = x.shape[0];
        using var scope = NewDisposeScope();
        var centres = zeros(k, x.shape[1], dtype: ScalarType.Float32, device: x.device);
        long first = random.NextInt64(n);
        centres[0].copy_(x[first]);
        var best = x.mv(centres[0]);
        for (int j = 1; j < k; j++)
        {
            using var step = NewDisposeScope();
            double[] weights = (1 - best).clamp_min(0).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            double total = 0;
            foreach (var w in weights)
                total += w;
            long pick;
            if (total <= 0)
            {
                pick = random.NextInt64(n); // every row coincides with a centre: any row will do
            }
            else
            {
                double u = random.NextDouble() * total;
                pick = n - 1;
                double running = 0;
                for (long i = 0; i < n; i++)
                {
                    running += weights[i];
                    if (u < running && weights[i] > 0)
                    {
                        pick = i;
                        break;
                    }
                }
            }
            centres[j].copy_(x[pick]);
            var updated = maximum(best, x.mv(centres[j]));
            best.Dispose();
            best = updated.MoveToOuterDisposeScope();
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
        var unitT = unit.t();
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
        int[] sizes = bincount(labels, minlength: k).to_type(ScalarType.Int32).cpu().data<int>().ToArray();
        var empty = Enumerable.Range(0, k).Where(c => sizes[c] == 0).ToList();
        if (empty.Count == 0)
            return 0;
        long[] host = labels.cpu().data<long>().ToArray();
        long[] order = best.sort(dim: 0, descending: false, stable: true).Indices.cpu().data<long>().ToArray(); // farthest (lowest cosine) first
        int e = 0;
        foreach (long row in order)
        {
            if (e == empty.Count)
                break;
            int from = (int)host[row];
            if (sizes[from] < 2)
                continue;
            sizes[from]--;
            host[row] = empty[e++];
        }
        var device = labels.device;
        labels.Dispose();
        labels = tensor(host, device: device).MoveToOuterDisposeScope();
        return e;
    }

    /// <summary>Mean cosine of every row to the centre it is assigned to, ChunkRows rows at a time.</summary>
    private double MeanCosineToAssigned(Tensor x, Tensor unit, Tensor labels)
    {
        long n = x.shape[0];
        double total = 0;
        for (long start = 0; start < n; start += Options.ChunkRows)
        {
            using var chunk = NewDisposeScope();
            long len = Math.Min(Options.ChunkRows, n - start);
            var c = unit.index_select(0, labels.narrow(0, start, len));
            total += (x.narrow(0, start, len) * c).sum().to_type(ScalarType.Float64).item<double>();
        }
        return total / n;
    }

    private static float[][] ToRows(Tensor m)
    {
        var host = m.detach().cpu().contiguous();
        int rows = (int)host.shape[0];
        int cols = (int)host.shape[1];
        float[] flat = host.data<float>().ToArray();
        var result = new float[rows][];
        for (int i = 0; i < rows; i++)
            result[i] = flat.AsSpan(i * cols, cols).ToArray();
        return result;
    }
}
