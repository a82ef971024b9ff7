namespace LpCam.MLNet.Engine.Features;

/// <summary>The scales and flip of multi-scale inference (algorithm doc, sections 1 and 3).</summary>
public sealed class InferenceScales
{
    /// <summary>The reference's scales: 1.0, 0.5, 1.5, 2.0.</summary>
    public static IReadOnlyList<double> ReferenceScales { get; } = new[] { 1.0, 0.5, 1.5, 2.0 };

    /// <summary>Creates a set of scales.</summary>
    /// <param name="scales">Positive, finite scale factors applied to the image side lengths; at least one.</param>
    /// <param name="flip">Whether each scale also runs the horizontally flipped image.</param>
    public InferenceScales(IReadOnlyList<double> scales, bool flip = true)
    {
        ArgumentNullException.ThrowIfNull(scales);
        if (scales.Count == 0) throw new ArgumentException("Expected at least one scale.", nameof(scales));
        foreach (var s in scales)
            if (!double.IsFinite(s) || s <= 0)
                throw new ArgumentOutOfRangeException(nameof(scales), s, $"Scale {s} is not a positive finite number.");
        Scales = scales.ToArray();
        Flip = flip;
    }

    /// <summary>The reference setting: 1.0, 0.5, 1.5, 2.0, each with its flip.</summary>
    public static InferenceScales Reference => new(ReferenceScales, flip: true);

    /// <summary>One scale (1.0) without flip: the setting used to fit prototypes.</summary>
    public static InferenceScales Single => new(new[] { 1.0 }, flip: false);

    /// <summary>The scale factors.</summary>
    public IReadOnlyList<double> Scales { get; }

    /// <summary>Whether each scale also runs the flipped image.</summary>
    public bool Flip { get; }

    /// <summary>The image size at <paramref name="scale"/>: each side multiplied and rounded, at least 1.</summary>
    public static (int Height, int Width) ScaledSize(int height, int width, double scale) =>
        (Math.Max(1, (int)Math.Round(height * scale)), Math.Max(1, (int)Math.Round(width * scale)));

    /// <summary>The stride-4 map size of an image: ceil(H / 4) x ceil(W / 4), as IRN's <c>cam</c> arrays.</summary>
    public static (int Height, int Width) Stride4Size(int height, int width) => ((height + 3) / 4, (width + 3) / 4);

    /// <summary>Parses "1.0,0.5,1.5,2.0" (invariant culture).</summary>
    public static InferenceScales Parse(string text, bool flip = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out values[i]))
                throw new FormatException($"Scale '{parts[i]}' in '{text}' is not a number; expected a comma-separated list such as 1.0,0.5,1.5,2.0.");
        return new InferenceScales(values, flip);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(",", Scales.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture))) + (Flip ? " +flip" : "");
}
