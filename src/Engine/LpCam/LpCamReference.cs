using LpCam.MLNet.Engine.Prototypes;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.LpCam;

/// <summary>
/// The plain, per-prototype form of LPCAM's score (one cosine map per prototype, then means): the definition the folded
/// <see cref="LocalPrototypeMap"/> is checked against in tests, and the baseline it is measured against in benchmarks.
/// Not used on any production path.
/// </summary>
internal static class LpCamReference
{
    /// <summary><c>A_n = mean_i cos(f, P_i) - mean_j cos(f, Q_j)</c> for every class, [B, C, h, w], by a loop over prototypes.</summary>
    public static Tensor ScoresByPrototypeLoop(PrototypeSet set, Tensor features, bool foregroundOnly)
    {
        using var scope = NewDisposeScope();
        var classMaps = new List<Tensor>();
        foreach (var c in set.Classes)
        {
            var fg = MeanCosine(c.ClassCentres, features);
            classMaps.Add(foregroundOnly || c.ContextCentres.Length == 0 ? fg : fg.sub(MeanCosine(c.ContextCentres, features)));
        }
        return stack(classMaps, 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same scores from one product of all unit prototypes with the unit features ([K_total, D] x [D, B*h*w]) followed by
    /// a per-class averaging matrix: the un-folded batched form, for benchmarks.
    /// </summary>
    public static Tensor ScoresByPrototypeMatrix(PrototypeSet set, Tensor features, bool foregroundOnly)
    {
        using var scope = NewDisposeScope();
        var centres = new List<float[]>();
        var average = new List<(int Class, int Column, float Weight)>();
        foreach (var c in set.Classes)
        {
            foreach (var p in c.ClassCentres) { average.Add((c.ClassIndex, centres.Count, 1f / c.ClassCentres.Length)); centres.Add(p); }
            if (foregroundOnly) continue;
            foreach (var q in c.ContextCentres) { average.Add((c.ClassIndex, centres.Count, -1f / c.ContextCentres.Length)); centres.Add(q); }
        }
        var flat = new float[centres.Count * set.FeatureDim];
        for (int i = 0; i < centres.Count; i++) centres[i].CopyTo(flat, i * set.FeatureDim);
        var p̂ = nn.functional.normalize(tensor(flat, new long[] { centres.Count, set.FeatureDim }, device: features.device), dim: 1, eps: 1e-12);
        var m = zeros(set.ClassCount, centres.Count, device: features.device);
        foreach (var (cls, col, w) in average) m[cls, col] = w;
        long b = features.shape[0], h = features.shape[2], wd = features.shape[3];
        var unit = nn.functional.normalize(features, dim: 1, eps: 1e-12).permute(1, 0, 2, 3).reshape(set.FeatureDim, -1);
        var scores = m.matmul(p̂.matmul(unit));
        return scores.reshape(set.ClassCount, b, h, wd).permute(1, 0, 2, 3).contiguous().MoveToOuterDisposeScope();
    }

    private static Tensor MeanCosine(float[][] centres, Tensor features)
    {
        Tensor? sum = null;
        foreach (var centre in centres)
        {
            var p = tensor(centre, device: features.device).reshape(1, -1, 1, 1);
            var cos = nn.functional.cosine_similarity(features, p.expand_as(features), dim: 1, eps: 1e-12);
            sum = sum is null ? cos : sum.add(cos);
        }
        return sum!.div(centres.Length);
    }
}
