using System.Globalization;
using LpCam.MLNet.Engine.Features;

namespace LpCam.MLNet.Estimators;

/// <summary>
/// How CamFeaturizer packs the backbone features of every inference scale into its Features column, so that
/// LocalPrototypes fits on the scale-1 features and makes LPCAM maps from every scale without running the backbone again.
/// </summary>
/// <remarks>
/// The column is one variable-size vector of floats: for each scale of <see cref="BlockScales"/> in order, the feature map
/// of the image [D, h, w] and, with <see cref="Flip"/>, that of its mirror image mirrored back [D, h, w]. The FeatureSize
/// column holds (h, w) of each of <see cref="BlockScales"/>. Scale 1 always comes first (the head and the prototypes are
/// fitted on it) even when it is not one of <see cref="Scales"/>.
/// </remarks>
/// <param name="Scales">The inference scales the maps are made from (CAM and LPCAM: summed over these).</param>
/// <param name="Flip">Whether each scale also runs the mirror image.</param>
public sealed record FeatureColumnLayout(IReadOnlyList<double> Scales, bool Flip)
{
    /// <summary>The scales whose features the column holds: 1.0, then the other <see cref="Scales"/> in order.</summary>
    public IReadOnlyList<double> BlockScales => Scales.Where(s => s != 1.0).Prepend(1.0).ToList();

    /// <summary>Whether a block scale is one of the inference scales (its maps are summed).</summary>
    public bool InMaps(double blockScale) => Scales.Contains(blockScale);

    /// <summary>Checks the scales (positive, finite, at least one, no repeats).</summary>
    public static FeatureColumnLayout Checked(IReadOnlyList<double> scales, bool flip)
    {
        var s = new InferenceScales(scales, flip);
        if (s.Scales.Distinct().Count() != s.Scales.Count)
            throw new ArgumentException($"Option Scales '{string.Join(",", s.Scales)}' repeats a scale; expected each scale once.", nameof(scales));
        return new FeatureColumnLayout(s.Scales, flip);
    }

    /// <summary>The text kept in the model's metadata and the Features column's annotation, e.g. <c>scales=1,0.5;flip=true</c>.</summary>
    public override string ToString() =>
        $"scales={string.Join(",", Scales.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))};flip={(Flip ? "true" : "false")}";

    /// <summary>Parses <see cref="ToString"/>'s text.</summary>
    /// <exception cref="FormatException">The text is not in that form (the message quotes it).</exception>
    public static FeatureColumnLayout Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(';').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal);
        if (!parts.TryGetValue("scales", out var scales) || !parts.TryGetValue("flip", out var flip) || flip is not ("true" or "false"))
            throw new FormatException($"Feature layout '{text}' is not 'scales=S1,S2,...;flip=true|false'.");
        try
        {
            return Checked(InferenceScales.Parse(scales).Scales, flip == "true");
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new FormatException($"Feature layout '{text}': {e.Message}", e);
        }
    }
}
