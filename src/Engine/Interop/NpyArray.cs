namespace LpCam.MLNet.Engine.Interop;

/// <summary>
/// An n-dimensional array as stored in a <c>.npy</c> file: an element type, a shape and the elements in C order
/// (last index fastest) in a one-dimensional .NET array.
/// </summary>
/// <remarks>
/// An empty shape is a 0-d array (one element, numpy's <c>np.array(5)</c>); a zero in the shape gives no element.
/// The data array is kept, not copied: changing it changes the <see cref="NpyArray"/>.
/// </remarks>
public sealed class NpyArray
{
    private readonly int[] _shape;

    private NpyArray(NpyDType dtype, int[] shape, Array data, int textWidth)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
                throw new ArgumentException($"Shape ({string.Join(", ", shape)}) has a negative dimension.", nameof(shape));
            count *= d;
            if (count > Array.MaxLength)
                throw new ArgumentException($"Shape ({string.Join(", ", shape)}) has more elements than a .NET array holds.", nameof(shape));
        }
        if (data.Length != count)
            throw new ArgumentException($"The data holds {data.Length} elements but shape ({string.Join(", ", shape)}) needs {count}.", nameof(data));
        DType = dtype;
        _shape = (int[])shape.Clone();
        Data = data;
        TextWidth = textWidth;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>The dimensions; empty for a 0-d array.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The number of elements: the product of <see cref="Shape"/>.</summary>
    public int Length => Data.Length;

    /// <summary>The elements in C order: a float[], double[], int[], long[], byte[] or string[] as <see cref="DType"/> says.</summary>
    public Array Data { get; }

    /// <summary>For <see cref="NpyDType.Unicode"/>: the characters (UTF-32 code points) per element; otherwise 0.</summary>
    public int TextWidth { get; }

    /// <summary>The numpy type string: <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i4</c>, <c>&lt;i8</c>, <c>|u1</c> or <c>&lt;U<i>n</i></c>.</summary>
    public string Descr => DType switch
    {
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        NpyDType.Int32 => "<i4",
        NpyDType.Int64 => "<i8",
        NpyDType.UInt8 => "|u1",
        _ => "<U" + TextWidth.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Bytes per element in the file.</summary>
    public int ItemSize => DType switch
    {
        NpyDType.Float32 or NpyDType.Int32 => 4,
        NpyDType.Float64 or NpyDType.Int64 => 8,
        NpyDType.UInt8 => 1,
        _ => 4 * TextWidth,
    };

    /// <summary>Wraps float32 data.</summary>
    /// <param name="data">The elements in C order.</param>
    /// <param name="shape">The dimensions; none for a 0-d array. The product must equal the data length.</param>
    /// <exception cref="ArgumentException">The shape does not match the data.</exception>
    public static NpyArray Create(float[] data, params int[] shape) => new(NpyDType.Float32, shape, Checked(data), 0);

    /// <inheritdoc cref="Create(float[], int[])"/>
    public static NpyArray Create(double[] data, params int[] shape) => new(NpyDType.Float64, shape, Checked(data), 0);

    /// <inheritdoc cref="Create(float[], int[])"/>
    public static NpyArray Create(int[] data, params int[] shape) => new(NpyDType.Int32, shape, Checked(data), 0);

    /// <inheritdoc cref="Create(float[], int[])"/>
    public static NpyArray Create(long[] data, params int[] shape) => new(NpyDType.Int64, shape, Checked(data), 0);

    /// <inheritdoc cref="Create(float[], int[])"/>
    public static NpyArray Create(byte[] data, params int[] shape) => new(NpyDType.UInt8, shape, Checked(data), 0);

    /// <summary>Wraps text; the width is that of the longest string (at least 1), as numpy chooses it.</summary>
    /// <param name="data">The strings in C order; none may be null or contain NUL (numpy drops trailing NULs).</param>
    /// <param name="shape">The dimensions; none for a 0-d array. The product must equal the data length.</param>
    /// <exception cref="ArgumentException">A null string, a NUL character or a shape that does not match.</exception>
    public static NpyArray Create(string[] data, params int[] shape)
    {
        Checked(data);
        int width = 1;
        for (int i = 0; i < data.Length; i++)
        {
            var s = data[i] ?? throw new ArgumentException($"String {i} is null.", nameof(data));
            if (s.Contains('\0', StringComparison.Ordinal))
                throw new ArgumentException($"String {i} contains a NUL character, which numpy cannot keep.", nameof(data));
            width = Math.Max(width, s.EnumerateRunes().Count());
        }
        return new NpyArray(NpyDType.Unicode, shape, data, width);
    }

    /// <summary>The data as float[] (not a copy).</summary>
    /// <exception cref="InvalidOperationException">The array is of another type.</exception>
    public float[] AsFloat32() => As<float>(NpyDType.Float32);

    /// <summary>The data as double[] (not a copy).</summary>
    /// <exception cref="InvalidOperationException">The array is of another type.</exception>
    public double[] AsFloat64() => As<double>(NpyDType.Float64);

    /// <summary>The data as int[] (not a copy).</summary>
    /// <exception cref="InvalidOperationException">The array is of another type.</exception>
    public int[] AsInt32() => As<int>(NpyDType.Int32);

    /// <summary>The data as long[] (not a copy).</summary>
    /// <exception cref="InvalidOperationException">The array is of another type.</exception>
    public long[] AsInt64() => As<long>(NpyDType.Int64);

    /// <summary>The data as byte[] (not a copy).</summary>
    /// <exception cref="InvalidOperationException">The array is of another type.</exception>
    public byte[] AsUInt8() => As<byte>(NpyDType.UInt8);

    /// <summary>The data as string[] (not a copy).</summary>
    /// <exception cref="InvalidOperationException">The array is of another type.</exception>
    public string[] AsText() => As<string>(NpyDType.Unicode);

    /// <summary>The shape as numpy prints it: <c>()</c>, <c>(3,)</c>, <c>(2, 3)</c>.</summary>
    public string ShapeText => FormatShape(_shape);

    internal static NpyArray FromFile(NpyDType dtype, int[] shape, Array data, int textWidth) => new(dtype, shape, data, textWidth);

    internal static string FormatShape(IReadOnlyList<int> shape) =>
        shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    private T[] As<T>(NpyDType expected) =>
        DType == expected
            ? (T[])Data
            : throw new InvalidOperationException($"The array holds {DType} ('{Descr}') elements; {expected} was asked for.");

    private static T Checked<T>(T data) where T : class => data ?? throw new ArgumentNullException(nameof(data));
}
