using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using LpCam.MLNet.Engine.Interop;

namespace LpCam.MLNet.Reporting;

/// <summary>
/// Encodes label masks as 8-bit palette PNGs (colour type 3, "mode P"), the format of VOC's SegmentationClass files: each
/// pixel stores its label and the palette gives it a colour, so tools that read the PNG's indices (PIL, VOC devkits) get the
/// labels back and image viewers show the VOC colours.
/// </summary>
/// <remarks>SkiaSharp cannot write indexed PNGs, so the chunks (IHDR, PLTE, IDAT, IEND) are written here; the image data is
/// zlib-compressed rows, each with filter type 0.</remarks>
public static class PalettePng
{
    private static readonly byte[] Signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };

    /// <summary>Encodes a mask with the VOC palette (<see cref="VocColors"/>).</summary>
    /// <param name="labels">One label per pixel, row-major.</param>
    /// <param name="height">Rows; at least 1.</param>
    /// <param name="width">Columns; at least 1.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentException">The mask does not hold <paramref name="height"/> x <paramref name="width"/> labels.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> labels, int height, int width) => Encode(labels, height, width, VocColors.Span);

    /// <summary>Encodes a mask with the given palette.</summary>
    /// <param name="labels">One palette index per pixel, row-major.</param>
    /// <param name="height">Rows; at least 1.</param>
    /// <param name="width">Columns; at least 1.</param>
    /// <param name="palette">1..256 colours, 3 bytes (R, G, B) each.</param>
    /// <returns>The PNG file's bytes.</returns>
    /// <exception cref="ArgumentException">The mask size is wrong or the palette's length is not 3..768 and a multiple of 3.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> labels, int height, int width, ReadOnlySpan<byte> palette)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if ((long)height * width != labels.Length)
            throw new ArgumentException($"The mask holds {labels.Length} labels; expected {height} x {width} = {(long)height * width}.", nameof(labels));
        if (palette.Length is < 3 or > 768 || palette.Length % 3 != 0)
            throw new ArgumentException($"The palette holds {palette.Length} bytes; expected 3 bytes per colour, 1 to 256 colours.", nameof(palette));

        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bit depth
        header[9] = 3; // colour type: palette
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);
        WriteChunk(output, "PLTE", palette);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                Span<byte> filter = stackalloc byte[1];
                for (int y = 0; y < height; y++)
                {
                    zlib.Write(filter); // filter type 0 (none)
                    zlib.Write(labels.Slice(y * width, width));
                }
            }
            WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
        WriteChunk(output, "IEND", ReadOnlySpan<byte>.Empty);
        return output.ToArray();
    }

    /// <summary>Encodes a mask with the VOC palette and writes it to <paramref name="path"/> atomically.</summary>
    /// <inheritdoc cref="Encode(ReadOnlySpan{byte}, int, int)"/>
    public static void Write(string path, byte[] labels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ReportFiles.WriteAllBytes(path, Encode(labels, height, width));
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc32.Append(Crc32.Append(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
    }
}

/// <summary>The CRC-32 of PNG and zlib (polynomial 0xEDB88320, reflected).</summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>Continues a running CRC (start with 0xFFFFFFFF, finish by xor with 0xFFFFFFFF).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
