using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace LpCam.MLNet.Data;

/// <summary>
/// Writes 8-bit palette PNGs for one-byte-per-pixel label images (SkiaSharp cannot write palette PNGs). Reading is
/// <see cref="PngDecoder"/>'s, interpreting the samples as labels is <see cref="MaskPngReader"/>'s.
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

    /// <summary>Reads the size from the header chunk.</summary>
    /// <exception cref="InvalidDataException">Not a PNG, or its header chunk is damaged.</exception>
    public static (int Height, int Width) ReadSize(ReadOnlySpan<byte> png)
    {
        var header = PngDecoder.ReadHeader(png);
        return (header.Height, header.Width);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc(typeBytes, data));
        output.Write(word);
    }

    /// <summary>The CRC-32 a PNG chunk carries: over its type and its data (System.IO.Hashing's CRC-32, ISO-HDLC).</summary>
    internal static uint PngCrc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = new System.IO.Hashing.Crc32();
        crc.Append(type);
        crc.Append(data);
        return crc.GetCurrentHashAsUInt32();
    }
}
