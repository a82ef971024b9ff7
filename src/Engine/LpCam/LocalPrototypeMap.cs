using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.Prototypes;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.LpCam;

/// <summary>
/// LPCAM (paper Eqs. 5-6): <c>FG_n = mean_i cos(f, P_i)</c> over the class prototypes, <c>BG_n = mean_j cos(f, Q_j)</c> over
/// the context prototypes, <c>A_n = FG_n - BG_n</c> (<c>FG_n</c> alone for LPCAM-F, or when a class has no context
/// prototype), <c>LPCAM_n = ReLU(A_n) / (max + eps)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Because <c>cos(f, P_i) = P̂_i . f̂</c> with unit vectors, the mean over prototypes is linear:
/// <c>A_n = (mean_i P̂_i - mean_j Q̂_j) . f̂</c>. The method folds every class's prototypes into one row of an effective
/// weight matrix [C, D] once, and a batch of images then costs one matrix product against the unit-normalised features,
/// whatever the number of prototypes (the same value as a loop over prototypes, to rounding).
/// </para>
/// <para>
/// Multi-scale + flip as in the reference: per scale, the flipped image's feature map is un-flipped and added to the
/// image's feature map before the cosine (so the cosine is taken with the mean feature); ReLU per scale; resize; sum over
/// scales; normalise by the max plus an epsilon (the reference has none, so an all-zero map became NaN there; here it
/// stays zero).
/// </para>
/// <para>A position whose feature vector is all zero has cosine 0 with every prototype.</para>
/// </remarks>
public sealed class LocalPrototypeMap : ActivationMapMethod, IDisposable
{
    private readonly Tensor _effective;

    /// <summary>Creates LPCAM (or LPCAM-F) from fitted prototypes.</summary>
    /// <param name="prototypes">The class and context prototypes of every class.</param>
    /// <param name="foregroundOnly">True for LPCAM-F: ignore the context prototypes.</param>
    /// <param name="device">Where the maps are computed; CPU when null.</param>
    public LocalPrototypeMap(PrototypeSet prototypes, bool foregroundOnly = false, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(prototypes);
        Prototypes = prototypes;
        ForegroundOnly = foregroundOnly;
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>(prototypes.ClassCount);
        foreach (var c in prototypes.Classes)
        {
            var row = MeanOfUnit(c.ClassCentres, prototypes.FeatureDim, $"class prototypes of class {c.ClassIndex}");
            if (!foregroundOnly && c.ContextCentres.Length > 0)
                row = row.sub(MeanOfUnit(c.ContextCentres, prototypes.FeatureDim, $"context prototypes of class {c.ClassIndex}"));
            rows.Add(row);
        }
        _effective = stack(rows).to(device ?? CPU).MoveToOuterDisposeScope();
    }

    /// <summary>The prototypes the maps are computed from.</summary>
    public PrototypeSet Prototypes { get; }

    /// <summary>True for LPCAM-F (class prototypes only).</summary>
    public bool ForegroundOnly { get; }

    /// <inheritdoc />
    public override int ClassCount => Prototypes.ClassCount;

    /// <inheritdoc />
    public override int FeatureDim => Prototypes.FeatureDim;

    /// <summary>
    /// The folded weights [C, D]: row n is the mean of the unit class prototypes of class n minus (for LPCAM) the mean of
    /// its unit context prototypes. <c>A_n = row_n . f̂</c>.
    /// </summary>
    public Tensor EffectiveWeights => _effective;

    /// <summary>The un-rectified score <c>A_n = FG_n - BG_n</c> [B, k, h, w] of features [B, D, h, w].</summary>
    public Tensor Scores(Tensor features, Tensor classIndex)
    {
        using var scope = NewDisposeScope();
        var unit = nn.functional.normalize(features, p: 2, dim: 1, eps: 1e-12);
        var w = _effective.index_select(0, classIndex.to(_effective.device)).to(features.device);
        return einsum("kd,bdhw->bkhw", w, unit).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor ScaleMaps(ScaleFeatures scale, Tensor classIndex)
    {
        using var scope = NewDisposeScope();
        var features = scale.FlippedFeatures is { } flipped ? scale.Features.add(flipped.flip(3)) : scale.Features;
        return nn.functional.relu(Scores(features, classIndex)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose() => _effective.Dispose();

    private static Tensor MeanOfUnit(float[][] centres, int dim, string what)
    {
        var data = new float[centres.Length * dim];
        for (int i = 0; i < centres.Length; i++) centres[i].CopyTo(data, i * dim);
        var t = tensor(data, new long[] { centres.Length, dim });
        TensorChecks.Finite(t, what);
        return nn.functional.normalize(t, p: 2, dim: 1, eps: 1e-12).mean(new long[] { 0 });
    }
}
