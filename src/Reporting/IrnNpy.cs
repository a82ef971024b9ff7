using System.Buffers.Binary;
using System.Text;

namespace LpCam.MLNet.Reporting;

/// <summary>
/// Writes one image's class maps in the layout IRN and the LPCAM reference exchange (docs/lpcam-algorithm.md section 9):
/// a <c>.npy</c> file that <c>np.save(path, dict)</c> would write for
/// <c>{"keys": int64 [k], "cam": float32 [k, h4, w4], "high_res": float32 [k, H, W]}</c>, so that
/// <c>np.load(path, allow_pickle=True).item()</c> returns that dict.
/// </summary>
/// <remarks>
/// <para><c>keys</c> follows IRN: the 0-based index of each map's class among the object classes, i.e. label - 1 (IRN adds 1
/// back and pads a background plane). <c>cam</c> holds the maps at stride 4, of IRN's strided size
/// (ceil(H / 4), ceil(W / 4)); <c>high_res</c> the maps at the image's resolution.</para>
/// <para>The file is an object array of shape () whose data is a protocol-3 pickle of that 0-d array, written as numpy
/// pickles arrays (<c>numpy.core.multiarray._reconstruct</c>, which numpy 1.x loads and numpy 2.x maps to
/// <c>numpy._core</c>). Loading a pickle runs code chosen by the file, so numpy asks for <c>allow_pickle=True</c>: load
/// only files you trust. Pickle-free readers can use <see cref="Engine.Interop.Npz"/> files instead.</para>
/// </remarks>
public static class IrnNpy
{
    /// <summary>The stride of the <c>cam</c> entry.</summary>
    public const int Stride = 4;

    /// <summary>IRN's strided size: (ceil(<paramref name="height"/> / 4), ceil(<paramref name="width"/> / 4)).</summary>
    public static (int Height, int Width) StridedSize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return ((height + Stride - 1) / Stride, (width + Stride - 1) / Stride);
    }

    /// <summary>Encodes one image's maps as the bytes of the <c>.npy</c> file.</summary>
    /// <param name="labels">The label (1..254) of each of the k maps; written as <c>keys</c> = label - 1.</param>
    /// <param name="highRes">k maps of <paramref name="height"/> x <paramref name="width"/>, C order.</param>
    /// <param name="height">Rows of the image; at least 1.</param>
    /// <param name="width">Columns of the image; at least 1.</param>
    /// <param name="strided">k maps of <see cref="StridedSize"/>, or null to resize <paramref name="highRes"/>
    /// bilinearly to that size.</param>
    /// <exception cref="ArgumentException">A length disagrees with the shapes, or a label is outside 1..254.</exception>
    public static byte[] Encode(IReadOnlyList<int> labels, float[] highRes, int height, int width, float[]? strided = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(highRes);
        var (h4, w4) = StridedSize(height, width);
        int k = labels.Count, plane = height * width, plane4 = h4 * w4;
        if (highRes.Length != (long)k * plane)
            throw new ArgumentException($"highRes holds {highRes.Length} values; expected {k} maps x {height} x {width} = {(long)k * plane}.", nameof(highRes));
        var keys = new long[k];
        for (int i = 0; i < k; i++)
        {
            if (labels[i] is < 1 or > 254)
                throw new ArgumentException($"Map {i} has label {labels[i]}; expected 1..254 (0 is background, which IRN does not store).", nameof(labels));
            keys[i] = labels[i] - 1;
        }
        if (strided is null)
        {
            strided = new float[k * plane4];
            for (int i = 0; i < k; i++)
                Overlay.ResizeBilinear(highRes.AsSpan(i * plane, plane), height, width, h4, w4).CopyTo(strided, i * plane4);
        }
        else if (strided.Length != (long)k * plane4)
            throw new ArgumentException($"strided holds {strided.Length} values; expected {k} maps x {h4} x {w4} = {(long)k * plane4} (stride {Stride}).", nameof(strided));

        var p = new PickleWriter();
        // The 0-d object array np.save makes of the dict: _reconstruct(...) with state (1, (), dtype('O8'), False, [dict]).
        p.ArrayStart();
        p.Mark();
        p.Int(1);
        p.EmptyTuple();
        p.DType("O8", "|", 63);
        p.Bool(false);
        p.EmptyList();
        p.EmptyDict();
        p.Mark();
        p.String("keys");
        p.Array<long>(keys, new[] { k }, "i8");
        p.String("cam");
        p.Array<float>(strided, new[] { k, h4, w4 }, "f4");
        p.String("high_res");
        p.Array<float>(highRes, new[] { k, height, width }, "f4");
        p.SetItems();
        p.Append();
        p.Tuple(5);
        p.Build();
        var pickle = p.ToArray();

        var header = ObjectHeader();
        var file = new byte[header.Length + pickle.Length];
        header.CopyTo(file, 0);
        pickle.CopyTo(file, header.Length);
        return file;
    }

    /// <summary>Encodes one image's maps (see <see cref="Encode"/>) and writes them to <paramref name="path"/> atomically;
    /// IRN names the file <c>&lt;image id&gt;.npy</c>.</summary>
    /// <inheritdoc cref="Encode"/>
    public static void Write(string path, IReadOnlyList<int> labels, float[] highRes, int height, int width, float[]? strided = null) =>
        ReportFiles.WriteAllBytes(path, Encode(labels, highRes, height, width, strided));

    /// <summary>The .npy 1.0 header numpy writes for a 0-d object array, padded so that the data starts at byte 128.</summary>
    internal static byte[] ObjectHeader()
    {
        const string dict = "{'descr': '|O', 'fortran_order': False, 'shape': (), }";
        int unpadded = 10 + dict.Length + 1;
        int total = (unpadded + 63) / 64 * 64;
        var bytes = new byte[total];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(total - 10));
        Encoding.ASCII.GetBytes(dict, bytes.AsSpan(10));
        bytes.AsSpan(10 + dict.Length).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}
