namespace LpCam.MLNet.Data;

/// <summary>
/// The PASCAL VOC colour map and label-mask PNG files. A VOC mask stores one label per pixel (0 = background, c + 1 =
/// object class c, 255 = void / ignore) as a palette PNG whose palette is this colour map.
/// </summary>
/// <remarks>
/// Decoding reads the stored samples of any PNG (every colour type and bit depth, interlaced or not) and interprets them
/// by colour type: a palette index or a grayscale value is the label; an RGB colour is mapped back to its index through the
/// VOC colour map. A 16-bit grayscale mask is read only when every value is at most 255, a 16-bit RGB one only when every
/// sample is an 8-bit value widened (v x 257), an alpha channel only when every pixel is opaque; anything else (and a colour
/// outside the map) is an <see cref="InvalidDataException"/> naming the file, its bit depth and colour type, the pixel and
/// the value.
/// Encoding always writes an 8-bit palette PNG with the full 256-entry VOC palette, as the VOC devkit does.
/// </remarks>
public static class VocPalette
{
    /// <summary>The label of void / ignored pixels.</summary>
    public const byte Ignore = 255;

    private static readonly byte[] PaletteRgb = BuildColormap();
    private static readonly Dictionary<int, byte> IndexOfColor = BuildInverse();

    /// <summary>
    /// The colour of label <paramref name="index"/> in the standard VOC colour map: the bits of the index are spread over the
    /// channels, bit 0 to red, bit 1 to green, bit 2 to blue, bit 3 to red, and so on, starting from each channel's high bit.
    /// </summary>
    /// <example>0 → (0,0,0), 1 → (128,0,0), 2 → (0,128,0), 15 → (192,128,128), 255 → (224,224,192).</example>
    public static (byte R, byte G, byte B) Color(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 255);
        return (PaletteRgb[3 * index], PaletteRgb[3 * index + 1], PaletteRgb[3 * index + 2]);
    }

    /// <summary>The 256-entry colour map as 768 bytes (R, G, B of index 0, then of index 1, ...); a fresh copy.</summary>
    public static byte[] ColormapBytes() => (byte[])PaletteRgb.Clone();

    /// <summary>The label whose VOC colour is (<paramref name="r"/>, <paramref name="g"/>, <paramref name="b"/>), if any.</summary>
    public static bool TryGetIndex(byte r, byte g, byte b, out byte index) => IndexOfColor.TryGetValue(r << 16 | g << 8 | b, out index);

    /// <summary>Encodes a label mask as an 8-bit palette PNG with the VOC colour map.</summary>
    /// <param name="mask"><paramref name="height"/> x <paramref name="width"/> labels, row-major.</param>
    /// <param name="height">Rows; at least 1.</param>
    /// <param name="width">Columns; at least 1.</param>
    /// <returns>The PNG file's bytes.</returns>
    public static byte[] EncodeMaskPng(byte[] mask, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (mask.Length != height * width)
            throw new ArgumentException($"Expected {height} x {width} = {height * width} mask values, got {mask.Length}.", nameof(mask));
        return IndexedPng.Encode(mask, height, width, PaletteRgb);
    }

    /// <summary>Writes <paramref name="mask"/> to <paramref name="path"/> as a VOC palette PNG (see <see cref="EncodeMaskPng"/>).</summary>
    public static void WriteMaskPng(string path, byte[] mask, int height, int width) =>
        Engine.Interop.AtomicFile.WriteAllBytes(path, EncodeMaskPng(mask, height, width));

    /// <summary>Reads the labels of a mask PNG file.</summary>
    /// <returns>The labels (row-major) and the mask's size.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable PNG, or a PNG flavour or value with no label meaning
    /// (see the remarks); the message names the file, its bit depth and colour type, and the pixel.</exception>
    public static (byte[] Mask, int Height, int Width) DecodeMaskPng(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Mask file not found: '{path}'.", path);
        return DecodeMaskPng(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads the labels of a mask PNG held in memory.</summary>
    /// <param name="png">The PNG file's bytes.</param>
    /// <param name="source">The name used in error messages (a file path, for example).</param>
    /// <exception cref="InvalidDataException">Not a decodable PNG, or a flavour or value with no label meaning (see the
    /// remarks).</exception>
    public static (byte[] Mask, int Height, int Width) DecodeMaskPng(byte[] png, string source = "<memory>")
    {
        ArgumentNullException.ThrowIfNull(png);
        return MaskPngReader.Read(png, source);
    }

    /// <summary>Reads only the size of a mask PNG from its header.</summary>
    /// <exception cref="InvalidDataException">Not a PNG, or a damaged header; the message names the file.</exception>
    public static (int Height, int Width) ReadMaskSize(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Mask file not found: '{path}'.", path);
        Span<byte> head = stackalloc byte[33];
        using (var stream = File.OpenRead(path)) head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        try
        {
            return IndexedPng.ReadSize(head);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Mask '{path}' is not a readable PNG: {e.Message}", e);
        }
    }

    private static byte[] BuildColormap()
    {
        var map = new byte[768];
        for (int i = 0; i < 256; i++)
        {
            int r = 0, g = 0, b = 0, c = i;
            for (int j = 7; j >= 0; j--)
            {
                r |= (c & 1) << j;
                g |= ((c >> 1) & 1) << j;
                b |= ((c >> 2) & 1) << j;
                c >>= 3;
            }
            map[3 * i] = (byte)r;
            map[3 * i + 1] = (byte)g;
            map[3 * i + 2] = (byte)b;
        }
        return map;
    }

    private static Dictionary<int, byte> BuildInverse()
    {
        var inverse = new Dictionary<int, byte>(256);
        for (int i = 0; i < 256; i++) inverse.Add(PaletteRgb[3 * i] << 16 | PaletteRgb[3 * i + 1] << 8 | PaletteRgb[3 * i + 2], (byte)i);
        return inverse;
    }
}
