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
