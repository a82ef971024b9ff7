using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>
/// A small independent PNG encoder for the bad-input corpus: any colour type and bit depth, optional Adam7 interlace, rows
/// filtered with every filter type in turn (so the decoder's unfiltering is exercised), samples given unscaled.
/// </summary>
internal static class PngWriter
{
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) };

    /// <summary>Colour type codes of the PNG specification.</summary>
    public const int Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;

    /// <summary>Samples per pixel of a colour type.</summary>
    public static int Channels(int colorType) => colorType switch { Gray or Palette => 1, GrayAlpha => 2, Rgb => 3, Rgba => 4, _ => throw new ArgumentOutOfRangeException(nameof(colorType)) };

    /// <summary>Encodes <paramref name="samples"/> ((y * width + x) * channels + c) as a PNG.</summary>
    public static byte[] Encode(int height, int width, int bitDepth, int colorType, ushort[] samples, byte[]? paletteRgb = null, bool interlace = false)
    {
        int channels = Channels(colorType);
        if (samples.Length != height * width * channels) throw new ArgumentException("sample count");
        using var output = new MemoryStream();
        output.Write(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = (byte)colorType;
        header[12] = (byte)(interlace ? 1 : 0);
        Chunk(output, "IHDR", header);
        if (paletteRgb != null) Chunk(output, "PLTE", paletteRgb);
        using var raw = new MemoryStream();
        var passes = interlace ? Adam7 : new[] { (0, 0, 1, 1) };
        int bpp = Math.Max(1, channels * bitDepth / 8);
        foreach (var (x0, y0, dx, dy) in passes)
        {
            int pw = width > x0 ? (width - x0 + dx - 1) / dx : 0, ph = height > y0 ? (height - y0 + dy - 1) / dy : 0;
            if (pw == 0 || ph == 0) continue;
            int rowBytes = (pw * channels * bitDepth + 7) / 8;
            var prev = new byte[rowBytes];
            for (int r = 0; r < ph; r++)
            {
                var row = new byte[rowBytes];
                int y = y0 + r * dy;
                for (int i = 0; i < pw; i++)
                    for (int c = 0; c < channels; c++)
                        Put(row, i * channels + c, bitDepth, samples[((y * width) + x0 + i * dx) * channels + c]);
                int filter = (y + x0) % 5;
                raw.WriteByte((byte)filter);
                for (int x = 0; x < rowBytes; x++)
                {
                    int a = x >= bpp ? row[x - bpp] : 0, b = prev[x], cc = x >= bpp ? prev[x - bpp] : 0;
                    int p = filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => Paeth(a, b, cc) };
                    raw.WriteByte((byte)(row[x] - p));
                }
                prev = row;
            }
        }
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(raw.ToArray());
            Chunk(output, "IDAT", z.ToArray());
        }
        Chunk(output, "IEND", Array.Empty<byte>());
        return output.ToArray();
    }

    private static void Put(byte[] row, int index, int depth, ushort value)
    {
        if (value >= 1 << depth) throw new ArgumentException($"sample {value} does not fit in {depth} bits");
        if (depth == 16) BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(2 * index), value);
        else if (depth == 8) row[index] = (byte)value;
        else row[index * depth / 8] |= (byte)(value << (8 - depth - index * depth % 8));
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typeBytes.Concat(data).ToArray()));
        output.Write(word);
    }

    private static uint Crc(byte[] bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return crc ^ 0xFFFFFFFFu;
    }
}
