using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LpCam.MLNet.Data;

/// <summary>
/// A strict PNG decoder for label images: every colour type (grayscale, RGB, palette, grayscale+alpha, RGBA), every bit
/// depth the specification allows (1, 2, 4, 8, 16), non-interlaced and Adam7-interlaced. It returns the stored samples
/// unchanged (<see cref="PngRaster"/>), which is what a label image means; SkiaSharp would scale low bit depths, reduce 16
/// bits to 8 and map palettes to colours. Chunk CRCs are checked, and a truncated or corrupt file is an error.
/// </summary>
internal static class PngDecoder
{
    private static readonly byte[] Signature = { 137, 80, 78, 71, 13, 10, 26, 10 };

    // Adam7 passes: x start, y start, x step, y step.
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) };

    /// <summary>The largest image decoded (pixels, 8192 x 8192); a header beyond it is refused rather than allocated.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Reads and checks the header chunk: size, bit depth, colour type, interlace.</summary>
    /// <exception cref="InvalidDataException">Not a PNG, a damaged header or an invalid combination.</exception>
    public static (int Height, int Width, int BitDepth, PngColorType ColorType, bool Interlaced) ReadHeader(ReadOnlySpan<byte> png)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
            throw new InvalidDataException("Not a PNG file (bad signature).");
        int pos = Signature.Length;
        var type = ReadChunk(png, ref pos, out var data);
        if (type != "IHDR" || data.Length != 13) throw new InvalidDataException("The PNG does not start with a valid IHDR chunk.");
        int width = BinaryPrimitives.ReadInt32BigEndian(data);
        int height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
        if (width < 1 || height < 1) throw new InvalidDataException($"The PNG header gives an invalid size {width}x{height}.");
        int depth = data[8], colorType = data[9];
        bool valid = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!valid) throw new InvalidDataException($"The PNG header gives bit depth {depth} with colour type {colorType}, which the PNG specification does not allow.");
        if (data[10] != 0 || data[11] != 0) throw new InvalidDataException($"The PNG header gives an unknown compression ({data[10]}) or filter method ({data[11]}).");
        if (data[12] > 1) throw new InvalidDataException($"The PNG header gives an unknown interlace method {data[12]}.");
        return (height, width, depth, (PngColorType)colorType, data[12] == 1);
    }

    /// <summary>Decodes the stored samples of the whole image.</summary>
    /// <exception cref="InvalidDataException">A chunk is damaged or missing, or the pixel data is truncated or corrupt.</exception>
    public static PngRaster Decode(ReadOnlySpan<byte> png)
    {
        var (height, width, depth, colorType, interlaced) = ReadHeader(png);
        int channels = PngRaster.ChannelsOf(colorType);
        if ((long)height * width > MaxPixels)
            throw new InvalidDataException($"The PNG is {height}x{width}, more than the {MaxPixels} pixels this decoder accepts.");
        using var idat = new MemoryStream();
        byte[]? palette = null;
        bool ended = false;
        int pos = Signature.Length;
        ReadChunk(png, ref pos, out _); // IHDR
        while (pos < png.Length)
        {
            var type = ReadChunk(png, ref pos, out var data);
            if (type == "IDAT") idat.Write(data);
            else if (type == "PLTE")
            {
                if (data.Length == 0 || data.Length % 3 != 0 || data.Length > 768)
                    throw new InvalidDataException($"The PNG's PLTE chunk has {data.Length} bytes; expected 3 to 768, a multiple of 3.");
                palette = data.ToArray();
            }
            else if (type == "IEND") { ended = true; break; }
            else if (char.IsUpper(type[0]) && type != "IHDR")
                throw new InvalidDataException($"The PNG has an unknown critical chunk '{type}'.");
        }
        if (!ended) throw new InvalidDataException("The PNG ends before its IEND chunk (truncated file).");
        if (idat.Length == 0) throw new InvalidDataException("The PNG has no IDAT chunk (no pixel data).");
        if (colorType == PngColorType.Palette && palette == null) throw new InvalidDataException("The palette PNG has no PLTE chunk.");

        var passes = interlaced ? Adam7 : new[] { (0, 0, 1, 1) };
        long total = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            var (pw, ph) = PassSize(width, height, x0, y0, dx, dy);
            if (pw > 0 && ph > 0) total += (long)ph * (1 + RowBytes(pw, channels, depth));
        }
        if (total > Array.MaxLength)
            throw new InvalidDataException($"The PNG's header promises {total} bytes of pixel data, more than this decoder accepts.");
        var raw = Inflate(idat, (int)total);

        var samples = new ushort[checked((long)height * width * channels)];
        int offset = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            var (pw, ph) = PassSize(width, height, x0, y0, dx, dy);
            if (pw == 0 || ph == 0) continue;
            int rowBytes = RowBytes(pw, channels, depth);
            Unfilter(raw.AsSpan(offset, ph * (rowBytes + 1)), ph, rowBytes, Math.Max(1, channels * depth / 8));
            for (int r = 0; r < ph; r++)
            {
                var row = raw.AsSpan(offset + r * (rowBytes + 1) + 1, rowBytes);
                int y = y0 + r * dy;
                for (int i = 0; i < pw; i++)
                {
                    int x = x0 + i * dx;
                    for (int c = 0; c < channels; c++)
                        samples[((long)y * width + x) * channels + c] = Sample(row, i * channels + c, depth);
                }
            }
            offset += ph * (rowBytes + 1);
        }
        return new PngRaster(height, width, depth, colorType, interlaced, samples, palette);
    }

    private static (int Width, int Height) PassSize(int width, int height, int x0, int y0, int dx, int dy) =>
        (width > x0 ? (width - x0 + dx - 1) / dx : 0, height > y0 ? (height - y0 + dy - 1) / dy : 0);

    private static int RowBytes(int pixels, int channels, int depth) => checked((int)(((long)pixels * channels * depth + 7) / 8));

    private static ushort Sample(ReadOnlySpan<byte> row, int index, int depth) => depth switch
    {
        16 => BinaryPrimitives.ReadUInt16BigEndian(row[(2 * index)..]),
        8 => row[index],
        _ => (ushort)((row[index * depth / 8] >> (8 - depth - index * depth % 8)) & ((1 << depth) - 1)),
    };

    /// <summary>Inflates exactly <paramref name="expected"/> bytes; the buffer grows with the data actually present, so a
    /// damaged header promising a huge image costs no memory before the data runs out.</summary>
    private static byte[] Inflate(MemoryStream idat, int expected)
    {
        idat.Position = 0;
        using var raw = new MemoryStream(Math.Min(expected, 1 << 20));
        var buffer = new byte[1 << 16];
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            while (raw.Length < expected)
            {
                int n = z.Read(buffer, 0, (int)Math.Min(buffer.Length, expected - raw.Length));
                if (n == 0) break;
                raw.Write(buffer, 0, n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The PNG's compressed pixel data is corrupt: {e.Message}", e);
        }
        if (raw.Length < expected)
            throw new InvalidDataException($"The PNG's pixel data holds {raw.Length} of the {expected} bytes its header promises.");
        return raw.Length == raw.Capacity ? raw.GetBuffer() : raw.ToArray();
    }

    /// <summary>Undoes the PNG row filters in place; <paramref name="rows"/> holds each row's filter byte then its bytes.</summary>
    private static void Unfilter(Span<byte> rows, int height, int rowBytes, int bpp)
    {
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++)
        {
            byte filter = rows[y * stride];
            var row = rows.Slice(y * stride + 1, rowBytes);
            ReadOnlySpan<byte> prev = y > 0 ? rows.Slice((y - 1) * stride + 1, rowBytes) : new byte[rowBytes];
            for (int x = 0; x < rowBytes; x++)
            {
                int a = x >= bpp ? row[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"Row {y} uses unknown PNG filter type {filter}."),
                };
                row[x] = (byte)(row[x] + predictor);
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static string ReadChunk(ReadOnlySpan<byte> png, ref int pos, out ReadOnlySpan<byte> data)
    {
        if (pos + 12 > png.Length) throw new InvalidDataException("The PNG ends inside a chunk header (truncated file).");
        int length = BinaryPrimitives.ReadInt32BigEndian(png[pos..]);
        if (length < 0 || pos + 12L + length > png.Length)
            throw new InvalidDataException("The PNG ends inside a chunk (truncated file).");
        var typeBytes = png.Slice(pos + 4, 4);
        data = png.Slice(pos + 8, length);
        uint crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + length)..]);
        string type = Encoding.ASCII.GetString(typeBytes);
        if (IndexedPng.PngCrc(typeBytes, data) != crc) throw new InvalidDataException($"The PNG's {type} chunk fails its CRC check (corrupt file).");
        pos += 12 + length;
        return type;
    }
}
