using LpCam.MLNet.Engine;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// Chooses LPCAM's prototypes among the cluster centres of one class (paper Eqs. 3-4): every centre is scored by the
/// classifier, <c>z = softmax_j(c . w_j)</c> over all classes (no bias), and class n keeps the foreground centres with
/// <c>z_n &gt; mu_f</c> as class prototypes and the context centres with <c>lowerBound &lt; z_n &lt; mu_b</c> as context
/// prototypes.
/// </summary>
/// <remarks>
/// <para>The centre scored is the <b>raw mean</b> of the cluster's members, in feature units (as the authors' code
/// does); the prototypes returned are the unit-length centres. Scoring a unit-length centre would divide every logit by
/// the norm of the raw mean, making the softmax nearly uniform so that no centre passes mu_f (lpcam-algorithm.md,
/// section 2.3).</para>
/// <para>When no foreground centre passes mu_f, the best-scoring one is kept alone and the report says so (the reference
/// does this on COCO and crashes on VOC).</para>
/// </remarks>
public sealed class PrototypeSelector
{
    /// <summary>Creates a selector.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting of <paramref name="options"/> is out of range.</exception>
    public PrototypeSelector(PrototypeSelectionOptions? options = null)
    {
        Options = options ?? new PrototypeSelectionOptions();
        Options.Validate();
    }

    /// <summary>The settings in use.</summary>
    public PrototypeSelectionOptions Options { get; }

    /// <summary>The softmax score z_n of class <paramref name="classIndex"/> for each of <paramref name="rawMeans"/>.</summary>
    /// <param name="rawMeans">Centres in feature units, each of D values.</param>
    /// <param name="classifierWeights">W, float [C, D], no bias, any device.</param>
    /// <param name="classIndex">n, in 0..C-1.</param>
    /// <exception cref="ArgumentException">Shapes disagree, the class index is out of range or a value is not finite.</exception>
    public static float[] Score(IReadOnlyList<float[]> rawMeans, Tensor classifierWeights, int classIndex)
    {
        ArgumentNullException.ThrowIfNull(rawMeans);
        CheckWeights(classifierWeights, classIndex);
        long d = classifierWeights.shape[1];
        if (rawMeans.Count == 0)
            return [];
        var flat = new float[rawMeans.Count * d];
        for (int i = 0; i < rawMeans.Count; i++)
        {
            if (rawMeans[i] is null || rawMeans[i].Length != d)
                throw new ArgumentException($"rawMeans[{i}] has {rawMeans[i]?.Length ?? 0} values; expected D = {d} like classifierWeights (shape {TensorChecks.Shape(classifierWeights)}).", nameof(rawMeans));
            rawMeans[i].CopyTo(flat, i * d);
        }
        if (flat.Any(v => !float.IsFinite(v)))
            throw new ArgumentException("rawMeans holds NaN or infinite values; expected finite cluster means.", nameof(rawMeans));

        using var scope = NewDisposeScope();
        var means = tensor(flat, new long[] { rawMeans.Count, d }).to(ScalarType.Float64, classifierWeights.device);
        var logits = means.mm(classifierWeights.detach().to_type(ScalarType.Float64).t());
        var z = logits.softmax(1).select(1, classIndex);
        return z.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
    }

    /// <summary>Selects the prototypes of class <paramref name="classIndex"/>.</summary>
    /// <param name="classIndex">n, in 0..C-1.</param>
    /// <param name="foreground">Clusters of the foreground set F_n.</param>
    /// <param name="context">Clusters of the context set B_n; null when the class has no context features.</param>
    /// <param name="classifierWeights">W, float [C, D], no bias, any device.</param>
    /// <returns>Unit-length class and context prototypes with their scores, and what was kept or dropped.</returns>
    /// <exception cref="ArgumentException">Shapes disagree, the class index is out of range or a value is not finite.</exception>
    public (ClassPrototypes Prototypes, SelectionReport Report) Select(int classIndex, KMeansResult foreground, KMeansResult? context, Tensor classifierWeights)
    {
        ArgumentNullException.ThrowIfNull(foreground);
        if (foreground.ClusterCount == 0)
            throw new ArgumentException($"Class {classIndex}: foreground has no clusters; expected at least one.", nameof(foreground));
        float[] fgScores = Score(foreground.RawMeans, classifierWeights, classIndex);
        float[] bgScores = context is null ? [] : Score(context.RawMeans, classifierWeights, classIndex);

        int[] classKept;
        int[] contextKept;
        bool fallback = false;
        if (!Options.Enabled)
        {
            classKept = Enumerable.Range(0, fgScores.Length).ToArray();
            contextKept = Enumerable.Range(0, bgScores.Length).ToArray();
        }
        else
        {
            classKept = Enumerable.Range(0, fgScores.Length).Where(i => fgScores[i] > Options.ClassThreshold).ToArray();
            if (classKept.Length == 0)
            {
                int best = 0;
                for (int i = 1; i < fgScores.Length; i++)
                    if (fgScores[i] > fgScores[best])
                        best = i;
                classKept = [best];
                fallback = true;
            }
            contextKept = Enumerable.Range(0, bgScores.Length)
                .Where(i => bgScores[i] < Options.ContextThreshold && (Options.ContextLowerBound <= 0 || bgScores[i] > Options.ContextLowerBound))
                .ToArray();
        }

        var prototypes = new ClassPrototypes(
            classIndex,
            classKept.Select(i => (float[])foreground.Centres[i].Clone()).ToArray(),
            classKept.Select(i => fgScores[i]).ToArray(),
            contextKept.Select(i => (float[])context!.Centres[i].Clone()).ToArray(),
            contextKept.Select(i => bgScores[i]).ToArray());
        var report = new SelectionReport(classIndex, Options.Enabled, fgScores, classKept, bgScores, contextKept, fallback);
        return (prototypes, report);
    }

    private static void CheckWeights(Tensor classifierWeights, int classIndex)
    {
        const string expected = "[C, D] classifier weights W (no bias)";
        TensorChecks.RequireFloat(classifierWeights, 2, nameof(classifierWeights), expected);
        if (classIndex < 0 || classIndex >= classifierWeights.shape[0])
            throw new ArgumentException($"classIndex {classIndex} is out of range for classifierWeights of shape {TensorChecks.Shape(classifierWeights)}; expected 0..{classifierWeights.shape[0] - 1}.", nameof(classIndex));
        TensorChecks.RequireFinite(classifierWeights, nameof(classifierWeights), expected);
    }
}
