using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LpCam.MLNet.Data;

/// <summary>
/// A minimal PNG codec for one-byte-per-pixel label images: writes 8-bit palette PNGs and reads the raw values of
/// non-interlaced 8-bit palette (colour type 3) or grayscale (colour type 0) PNGs. SkiaSharp cannot write palette PNGs and
/// decodes them to colours, so label values would otherwise be lost. Chunk CRCs are checked; any other PNG flavour is
/// reported as <see cref="IsDirectlyReadable"/> = false so the caller can fall back to decoding colours.
/// </summary>
internal static class IndexedPng
{
    private static readonly byte[] Signature = { 137, 80, 78, 71, 13, 10, 26, 10 };

    /// <summary>Encodes <paramref name="values"/> (row-major) as an 8-bit palette PNG with the given 256-colour palette.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> values, int height, int width, ReadOnlySpan<byte> paletteRgb)
    {
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 3; // palette
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "PLTE", paletteRgb);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0); // filter: none
                    z.Write(values.Slice(y * width, width));
                }
            }
            WriteChunk(output, "IDAT", raw.ToArray());
        }
        WriteChunk(output, "IEND", ReadOnlySpan<byte>.Empty);
        return output.ToArray();
    }

    /// <summary>Whether <paramref name="png"/> is a PNG whose pixel values <see cref="Decode"/> can read directly.</summary>
    /// <exception cref="InvalidDataException">Not a PNG, or its header chunk is damaged.</exception>
    public static bool IsDirectlyReadable(ReadOnlySpan<byte> png, out int height, out int width)
    {
        var ihdr = ReadHeader(png, out height, out width);
        return ihdr[8] == 8 && (ihdr[9] == 3 || ihdr[9] == 0) && ihdr[12] == 0;
    }

    /// <summary>Reads the size from the header chunk.</summary>
    /// <exception cref="InvalidDataException">Not a PNG, or its header chunk is damaged.</exception>
    public static (int Height, int Width) ReadSize(ReadOnlySpan<byte> png)
    {
        ReadHeader(png, out int height, out int width);
        return (height, width);
    }

    /// <summary>Decodes the one-byte pixel values of an image for which <see cref="IsDirectlyReadable"/> is true.</summary>
    /// <exception cref="InvalidDataException">A chunk is damaged or missing, or the pixel data is truncated or corrupt.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> png, out int height, out int width)
    {
        if (!IsDirectlyReadable(png, out height, out width))
            throw new InvalidDataException("Only non-interlaced 8-bit palette or grayscale PNGs are read directly.");
        using var idat = new MemoryStream();
        bool ended = false;
        int pos = Signature.Length;
        while (pos < png.Length)
        {
            var type = ReadChunk(png, ref pos, out var data);
            if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") { ended = true; break; }
        }
        if (!ended) throw new InvalidDataException("The PNG ends before its IEND chunk (truncated file).");
        int stride = width + 1;
        var raw = new byte[checked(height * stride)];
        idat.Position = 0;
        int read = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            while (read < raw.Length)
            {
                int n = z.Read(raw, read, raw.Length - read);
                if (n == 0) break;
                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"The PNG's compressed pixel data is corrupt: {e.Message}", e);
        }
        if (read < raw.Length)
            throw new InvalidDataException($"The PNG's pixel data holds {read} of the {raw.Length} bytes its header promises.");
        return Unfilter(raw, height, width);
    }

    private static byte[] Unfilter(byte[] raw, int height, int width)
    {
        var result = new byte[height * width];
        int stride = width + 1;
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * stride];
            var src = raw.AsSpan(y * stride + 1, width);
            var row = result.AsSpan(y * width, width);
            ReadOnlySpan<byte> prev = y > 0 ? result.AsSpan((y - 1) * width, width) : new byte[width];
            for (int x = 0; x < width; x++)
            {
                int a = x > 0 ? row[x - 1] : 0, b = prev[x], c = x > 0 ? prev[x - 1] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"Row {y} uses unknown PNG filter type {filter}."),
                };
                row[x] = (byte)(src[x] + predictor);
            }
        }
        return result;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static ReadOnlySpan<byte> ReadHeader(ReadOnlySpan<byte> png, out int height, out int width)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
            throw new InvalidDataException("Not a PNG file (bad signature).");
        int pos = Signature.Length;
        var type = ReadChunk(png, ref pos, out var data);
        if (type != "IHDR" || data.Length != 13) throw new InvalidDataException("The PNG does not start with a valid IHDR chunk.");
        width = BinaryPrimitives.ReadInt32BigEndian(data);
        height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
        if (width < 1 || height < 1) throw new InvalidDataException($"The PNG header gives an invalid size {width}x{height}.");
        return png.Slice(Signature.Length + 8, 13);
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
        if (Crc32.Compute(typeBytes, data) != crc) throw new InvalidDataException($"The PNG's {type} chunk fails its CRC check (corrupt file).");
        pos += 12 + length;
        return type;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(typeBytes, data));
        output.Write(word);
    }
}
