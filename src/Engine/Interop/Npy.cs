using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace LpCam.MLNet.Engine.Interop;

/// <summary>
/// Reads and writes numpy's <c>.npy</c> files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
/// the magic <c>\x93NUMPY</c>, a version, a little-endian header length, a Python-literal header dict
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded with spaces and ended by <c>\n</c> so that
/// the data starts at a multiple of 64 bytes, then the elements in C order.
/// </summary>
/// <remarks>
/// <para>Writing produces format version 1.0 byte for byte as numpy 1.24+ <c>np.save</c> does (including the spare spaces it
/// leaves for growing the first axis); version 2.0 only when a header exceeds 65,535 bytes. Files are written atomically
/// (a temporary file in the same folder, then a move).</para>
/// <para>Reading accepts versions 1.0, 2.0 and 3.0 and the types of <see cref="NpyDType"/>. It rejects, with a message naming
/// the file and what was expected: a wrong magic, Fortran order, big-endian or unsupported types (object arrays, pickles,
/// structured types), a malformed header, and a file shorter than its header says.</para>
/// </remarks>
public static class Npy
{
    private const int Align = 64;
    private const int GrowthAxisMaxDigits = 21;
    private static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The folder is missing or the file cannot be written.</exception>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, stream => Write(stream, array));
    }

    /// <summary>Writes float32 data of the given shape to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, float[] data, params int[] shape) => Write(path, NpyArray.Create(data, shape));

    /// <summary>Writes <paramref name="array"/> (header and data) at the stream's position.</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(array);
        stream.Write(Header(array));
        WriteData(stream, array);
    }

    /// <summary>Reads a <c>.npy</c> file.</summary>
    /// <exception cref="InvalidDataException">The file is not a supported <c>.npy</c> file; the message names it.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads one array from the stream's position.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="sourceName">A name for messages: the file or the npz entry.</param>
    /// <exception cref="InvalidDataException">The data is not a supported <c>.npy</c> array; the message names the source.</exception>
    public static NpyArray Read(Stream stream, string sourceName)
    {
        var (dtype, width, shape) = ReadHeader(stream, sourceName);
        return ReadData(stream, dtype, width, shape, sourceName);
    }

    /// <summary>
    /// Reads one float32 array from the stream's position into <paramref name="buffer"/>, which is replaced by a larger
    /// array only when too small: repeated reads through one buffer allocate nothing per array.
    /// </summary>
    /// <param name="stream">The stream.</param>
    /// <param name="sourceName">A name for messages: the file or the npz entry.</param>
    /// <param name="buffer">The buffer to fill (and grow); the values are its first (product of the shape) elements.</param>
    /// <returns>The array's shape.</returns>
    /// <exception cref="InvalidDataException">The data is not a supported <c>.npy</c> array of type <c>&lt;f4</c>.</exception>
    public static int[] ReadFloat32(Stream stream, string sourceName, ref float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var (dtype, _, shape) = ReadHeader(stream, sourceName);
        if (dtype != NpyDType.Float32)
            throw Bad(sourceName, $"its type is {dtype}; expected float32 ('<f4')");
        int n = ElementCount(shape, sourceName);
        if (buffer.Length < n)
            buffer = new float[n];
        ReadLittleEndian(stream, buffer.AsSpan(0, n), sourceName, shape, "<f4");
        return shape;
    }

    private static (NpyDType DType, int Width, int[] Shape) ReadHeader(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[Magic.Length + 2];
        int got = ReadFully(stream, prefix);
        if (got < Magic.Length || !prefix.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw Bad(sourceName, "it does not start with the .npy magic string \\x93NUMPY");
        if (got < prefix.Length)
            throw Bad(sourceName, "it is truncated in the format version");
        byte major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
            throw Bad(sourceName, $"format version {major}.{minor} is not supported; expected 1.0, 2.0 or 3.0");
        var lengthBytes = new byte[major == 1 ? 2 : 4];
        if (ReadFully(stream, lengthBytes) < lengthBytes.Length)
            throw Bad(sourceName, "it is truncated in the header length");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > 1 << 24)
            throw Bad(sourceName, $"its header length {headerLength} is implausibly large");
        var headerBytes = new byte[headerLength];
        if (ReadFully(stream, headerBytes) < headerBytes.Length)
            throw Bad(sourceName, $"it is truncated in the header: expected {headerLength} header bytes");
        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        return ParseHeader(header, sourceName);
    }

    /// <summary>The header bytes (magic, version, length, padded dict) numpy writes for <paramref name="array"/>.</summary>
    internal static byte[] Header(NpyArray array)
    {
        var dict = new StringBuilder();
        dict.Append("{'descr': '").Append(array.Descr).Append("', 'fortran_order': False, 'shape': ").Append(array.ShapeText).Append(", }");
        if (array.Shape.Count > 0)
            dict.Append(' ', Math.Max(0, GrowthAxisMaxDigits - array.Shape[0].ToString(CultureInfo.InvariantCulture).Length));
        int dictLength = Encoding.Latin1.GetByteCount(dict.ToString());
        int version = 1, lengthSize = 2;
        int hlen = dictLength + 1;
        int pad = Align - (Magic.Length + 2 + lengthSize + hlen) % Align;
        if (hlen + pad > ushort.MaxValue)
        {
            version = 2;
            lengthSize = 4;
            pad = Align - (Magic.Length + 2 + lengthSize + hlen) % Align;
        }
        int total = Magic.Length + 2 + lengthSize + hlen + pad;
        var bytes = new byte[total];
        Magic.CopyTo(bytes, 0);
        bytes[6] = (byte)version;
        bytes[7] = 0;
        if (version == 1)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(hlen + pad));
        else
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)(hlen + pad));
        int at = 8 + lengthSize;
        at += Encoding.Latin1.GetBytes(dict.ToString(), bytes.AsSpan(at));
        bytes.AsSpan(at, pad).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    private static void WriteData(Stream stream, NpyArray array)
    {
        switch (array.Data)
        {
            case float[] f: WriteLittleEndian<float>(stream, f); break;
            case double[] d: WriteLittleEndian<double>(stream, d); break;
            case int[] i: WriteLittleEndian<int>(stream, i); break;
            case long[] l: WriteLittleEndian<long>(stream, l); break;
            case byte[] b: stream.Write(b); break;
            case string[] s:
                var item = new byte[array.ItemSize];
                foreach (var text in s)
                {
                    Array.Clear(item);
                    Encoding.UTF32.GetBytes(text, item); // UTF32 is little-endian
                    stream.Write(item);
                }
                break;
            default: throw new InvalidOperationException("Unknown element type.");
        }
    }

    private static void WriteLittleEndian<T>(Stream stream, T[] data) where T : unmanaged
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }
        var copy = (T[])data.Clone();
        ReverseEndianness(copy.AsSpan());
        stream.Write(MemoryMarshal.AsBytes(copy.AsSpan()));
    }

    private static (NpyDType DType, int Width, int[] Shape) ParseHeader(string header, string source)
    {
        string h = header.Trim();
        if (!h.StartsWith('{') || !h.EndsWith('}'))
            throw Bad(source, $"its header is not a Python dict: {Quote(header)}");
        var descr = Regex.Match(h, @"['""]descr['""]\s*:\s*['""]([^'""]*)['""]");
        if (!descr.Success)
            throw Bad(source, $"its header has no simple 'descr' (structured types are not supported): {Quote(header)}");
        var fortran = Regex.Match(h, @"['""]fortran_order['""]\s*:\s*(True|False)");
        if (!fortran.Success)
            throw Bad(source, $"its header has no 'fortran_order': {Quote(header)}");
        if (fortran.Groups[1].Value == "True")
            throw Bad(source, "it is in Fortran order; expected C order (save with np.ascontiguousarray)");
        var shapeMatch = Regex.Match(h, @"['""]shape['""]\s*:\s*\(([^)]*)\)");
        if (!shapeMatch.Success)
            throw Bad(source, $"its header has no 'shape' tuple: {Quote(header)}");
        var shape = new List<int>();
        foreach (var part in shapeMatch.Groups[1].Value.Split(','))
        {
            var p = part.Trim().TrimEnd('L');
            if (p.Length == 0)
                continue;
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                throw Bad(source, $"its shape ({shapeMatch.Groups[1].Value}) holds '{p}'; expected non-negative integers below 2^31");
            shape.Add(d);
        }
        var (dtype, width) = ParseDescr(descr.Groups[1].Value, source);
        return (dtype, width, shape.ToArray());
    }

    private static (NpyDType DType, int Width) ParseDescr(string descr, string source)
    {
        switch (descr)
        {
            case "<f4": return (NpyDType.Float32, 0);
            case "<f8": return (NpyDType.Float64, 0);
            case "<i4": return (NpyDType.Int32, 0);
            case "<i8": return (NpyDType.Int64, 0);
            case "|u1" or "<u1" or ">u1" or "=u1": return (NpyDType.UInt8, 0);
        }
        if (descr.Length > 2 && descr[0] == '<' && descr[1] == 'U'
            && int.TryParse(descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int width) && width > 0)
            return (NpyDType.Unicode, width);
        if (descr.StartsWith('>'))
            throw Bad(source, $"its type '{descr}' is big-endian; expected little-endian (save with .astype('<{descr[1..]}'))");
        throw Bad(source, $"its type '{descr}' is not supported; expected '<f4', '<f8', '<i4', '<i8', '|u1' or '<U<n>'");
    }

    private static int ElementCount(int[] shape, string source)
    {
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
            if (count > Array.MaxLength)
                throw Bad(source, $"its shape {NpyArray.FormatShape(shape)} has more elements than a .NET array holds");
        }
        return (int)count;
    }

    private static NpyArray ReadData(Stream stream, NpyDType dtype, int width, int[] shape, string source)
    {
        int n = ElementCount(shape, source);
        switch (dtype)
        {
            case NpyDType.Float32: return NpyArray.FromFile(dtype, shape, ReadLittleEndian<float>(stream, n, source, shape, "<f4"), 0);
            case NpyDType.Float64: return NpyArray.FromFile(dtype, shape, ReadLittleEndian<double>(stream, n, source, shape, "<f8"), 0);
            case NpyDType.Int32: return NpyArray.FromFile(dtype, shape, ReadLittleEndian<int>(stream, n, source, shape, "<i4"), 0);
            case NpyDType.Int64: return NpyArray.FromFile(dtype, shape, ReadLittleEndian<long>(stream, n, source, shape, "<i8"), 0);
            case NpyDType.UInt8: return NpyArray.FromFile(dtype, shape, ReadLittleEndian<byte>(stream, n, source, shape, "|u1"), 0);
            default:
                long itemSize = 4L * width;
                if (itemSize * n > Array.MaxLength)
                    throw Bad(source, $"its text array {NpyArray.FormatShape(shape)} of '<U{width}' is too large");
                var raw = new byte[itemSize * n];
                int got = ReadFully(stream, raw);
                if (got < raw.Length)
                    throw Truncated(source, shape, $"<U{width}", raw.Length, got);
                var strings = new string[n];
                for (int i = 0; i < n; i++)
                    strings[i] = Encoding.UTF32.GetString(raw, (int)(i * itemSize), (int)itemSize).TrimEnd('\0');
                return NpyArray.FromFile(dtype, shape, strings, width);
        }
    }

    private static T[] ReadLittleEndian<T>(Stream stream, int count, string source, int[] shape, string descr) where T : unmanaged
    {
        var data = new T[count];
        ReadLittleEndian(stream, data.AsSpan(), source, shape, descr);
        return data;
    }

    private static void ReadLittleEndian<T>(Stream stream, Span<T> data, string source, int[] shape, string descr) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(data);
        int got = ReadFully(stream, bytes);
        if (got < bytes.Length)
            throw Truncated(source, shape, descr, bytes.Length, got);
        if (!BitConverter.IsLittleEndian)
            ReverseEndianness(data);
    }

    private static void ReverseEndianness<T>(Span<T> data) where T : unmanaged
    {
        switch (Unsafe.SizeOf<T>())
        {
            case 4:
                var i = MemoryMarshal.Cast<T, int>(data);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<T, long>(data);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private static string Quote(string header) => header.Length <= 200 ? header.TrimEnd() : header[..200] + "...";

    private static InvalidDataException Truncated(string source, int[] shape, string descr, long expected, long got) =>
        Bad(source, $"it is truncated: shape {NpyArray.FormatShape(shape)} of '{descr}' needs {expected} data bytes but only {got} remain");

    private static InvalidDataException Bad(string source, string what) =>
        new($"'{source}' is not a readable .npy array: {what}.");
}
