namespace LpCam.MLNet.Data;

/// <summary>
/// The decoded samples of a PNG exactly as stored: no scaling of low bit depths, no colour conversion, no gamma. Sample
/// (row y, column x, channel c) is <c>Samples[(y * Width + x) * Channels + c]</c>, in 0..2^BitDepth - 1.
/// </summary>
internal sealed record PngRaster(int Height, int Width, int BitDepth, PngColorType ColorType, bool Interlaced, ushort[] Samples, byte[]? PaletteRgb)
{
    /// <summary>Samples per pixel of the colour type.</summary>
    public int Channels => ChannelsOf(ColorType);

    /// <summary>The largest value a sample can hold at this bit depth.</summary>
    public int MaxSample => (1 << BitDepth) - 1;

    /// <summary>"16-bit grayscale", "4-bit palette", ...: the PNG flavour in words, for messages.</summary>
    public string Description => Describe(BitDepth, ColorType, Interlaced);

    /// <summary>Samples per pixel of <paramref name="type"/>.</summary>
    public static int ChannelsOf(PngColorType type) => type switch
    {
        PngColorType.Grayscale or PngColorType.Palette => 1,
        PngColorType.GrayscaleAlpha => 2,
        PngColorType.Rgb => 3,
        PngColorType.Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a PNG colour type."),
    };

    /// <summary>The PNG flavour in words.</summary>
    public static string Describe(int bitDepth, PngColorType type, bool interlaced)
    {
        string kind = type switch
        {
            PngColorType.Grayscale => "grayscale",
            PngColorType.Rgb => "RGB",
            PngColorType.Palette => "palette",
            PngColorType.GrayscaleAlpha => "grayscale+alpha",
            PngColorType.Rgba => "RGBA",
            _ => $"colour type {(int)type}",
        };
        return $"{bitDepth}-bit {kind}{(interlaced ? " (interlaced)" : "")}";
    }
}
