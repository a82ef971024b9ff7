namespace LpCam.MLNet.Reporting;

/// <summary>
/// The PASCAL VOC colour map: the palette of VOC's label PNGs, built by interleaving the bits of the label over red, green
/// and blue (label 0 is black, 1 is (128, 0, 0), 2 is (0, 128, 0), ..., 255, the ignore label, is (224, 224, 192)).
/// </summary>
public static class VocColors
{
    private static readonly byte[] Table = BuildTable();

    /// <summary>The colour of <paramref name="label"/>.</summary>
    /// <param name="label">0..255.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is outside 0..255.</exception>
    public static (byte R, byte G, byte B) Color(int label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(label, 255);
        return (Table[3 * label], Table[3 * label + 1], Table[3 * label + 2]);
    }

    /// <summary>The 256 colours as 768 bytes (R, G, B per label), the body of a PNG PLTE chunk. A copy.</summary>
    public static byte[] Palette() => (byte[])Table.Clone();

    /// <summary>The colour of <paramref name="label"/> as CSS text, e.g. <c>#800000</c>.</summary>
    public static string Css(int label)
    {
        var (r, g, b) = Color(label);
        return $"#{r:x2}{g:x2}{b:x2}";
    }

    internal static ReadOnlySpan<byte> Span => Table;

    private static byte[] BuildTable()
    {
        var table = new byte[768];
        for (int i = 0; i < 256; i++)
        {
            int r = 0, g = 0, b = 0, c = i;
            for (int j = 0; j < 8; j++)
            {
                r |= (c & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            table[3 * i] = (byte)r;
            table[3 * i + 1] = (byte)g;
            table[3 * i + 2] = (byte)b;
        }
        return table;
    }
}
