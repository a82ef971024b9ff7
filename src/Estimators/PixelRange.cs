namespace LpCam.MLNet.Estimators;

/// <summary>
/// The pixel values CamFeaturizer accepts: planar RGB 0..255 as ExtractPixels writes them (no scaling, no offset), with a
/// margin of 1 on either side for rounding. Fit refuses anything else; so does Transform (see
/// <see cref="Transforms.CamFeaturizerTransformer"/>).
/// </summary>
public static class PixelRange
{
    /// <summary>The smallest accepted value.</summary>
    public const float Min = -1f;

    /// <summary>The largest accepted value.</summary>
    public const float Max = 256f;

    /// <summary>Whether <paramref name="value"/> is finite and within <see cref="Min"/>..<see cref="Max"/>.</summary>
    public static bool Accepts(float value) => value >= Min && value <= Max; // false for NaN

    /// <summary>
    /// The index of the first value not accepted in <paramref name="pixels"/>, or -1.
    /// </summary>
    public static int FirstRejected(ReadOnlySpan<float> pixels)
    {
        for (int i = 0; i < pixels.Length; i++)
            if (!Accepts(pixels[i])) return i;
        return -1;
    }

    /// <summary>
    /// "Row 3: pixel column 'Pixels' holds NaN at (channel 0, y 5, x 7); expected ...": the message for a refused value.
    /// </summary>
    internal static string Describe(long row, string column, ReadOnlySpan<float> pixels, int index, int height, int width)
    {
        int plane = height * width;
        return $"Row {row}: pixel column '{column}' holds {pixels[index].ToString(System.Globalization.CultureInfo.InvariantCulture)} at (channel {index / plane}, y {index % plane / width}, x {index % width}); " +
            $"expected finite planar RGB values 0..255 (accepted {Min}..{Max}), as ExtractPixels writes them without scaling or offset.";
    }
}
