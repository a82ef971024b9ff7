using System.Buffers.Binary;
using System.Text;
using LpCam.MLNet.Engine.Interop;

namespace LpCam.MLNet.Tests.Engine.Interop;

public sealed class NpyTests : IDisposable
{
    // Files written by numpy 1.24.2 np.save (base64), the reference for reading.
    private const string NumpyInt64 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr//////////wAAAAAAAAAAAAAAAAABAAA="; // [-1, 0, 2**40]
    private const string NumpyUInt8 = "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAf7/"; // [[0, 1], [254, 255]]
    private const string NumpyText = "k05VTVBZAQB2AHsnZGVzY3InOiAnPFUzJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIApjAAAAYQAAAHQAAABkAAAA9gAAAGcAAAAx9AEAeAAAAAAAAAA="; // ['cat', 'dög', '🐱x']
    private const string NumpyFloat64Scalar = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAEQA=="; // np.array(2.5)
    private const string NumpyEmpty = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo="; // np.zeros((0, 3), '<f4')

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>The bytes numpy writes for np.arange(6, dtype='&lt;f4').reshape(2, 3), built from the format description.</summary>
    private static byte[] HandBuiltFloat32File()
    {
        // magic (6) + version 1.0 (2) + header length (2, little-endian) + header; the header is the dict, 20 spare spaces
        // (21 digits minus the 1 of the first dimension), padding spaces and '\n', so that the data starts at byte 128.
        const string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        bytes.AddRange(Encoding.ASCII.GetBytes(dict));
        while (bytes.Count < 127)
            bytes.Add((byte)' ');
        bytes.Add((byte)'\n');
        for (int i = 0; i < 6; i++)
        {
            var f = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(f, i);
            bytes.AddRange(f);
        }
        return bytes.ToArray();
    }

    [Fact]
    public void Float32_file_is_byte_identical_to_numpy()
    {
        var path = _folder.File("a.npy");
        Npy.Write(path, new float[] { 0, 1, 2, 3, 4, 5 }, 2, 3);
        Assert.Equal(HandBuiltFloat32File(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Hand_built_numpy_file_reads_back()
    {
        var path = _folder.File("b.npy");
        File.WriteAllBytes(path, HandBuiltFloat32File());
        var a = Npy.Read(path);
        Assert.Equal(NpyDType.Float32, a.DType);
        Assert.Equal(new[] { 2, 3 }, a.Shape);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, a.AsFloat32());
    }

    public static TheoryData<string, NpyArray> RoundTripCases() => new()
    {
        { "f4 3-d", NpyArray.Create(new float[] { 1.5f, -2f, float.MaxValue, float.Epsilon, 0f, -0f, 7, 8, 9, 10, 11, 12 }, 2, 3, 2) },
        { "f4 1-d", NpyArray.Create(new float[] { 3f }, 1) },
        { "f4 zero-length", NpyArray.Create(Array.Empty<float>(), 0, 512) },
        { "f4 0-d", NpyArray.Create(new float[] { 42f }) },
        { "f8 2-d", NpyArray.Create(new double[] { Math.PI, -1e300 }, 1, 2) },
        { "i4 1-d", NpyArray.Create(new[] { int.MinValue, 0, int.MaxValue }, 3) },
        { "i4 zero-length middle", NpyArray.Create(Array.Empty<int>(), 4, 0, 2) },
        { "i8 3-d", NpyArray.Create(new long[] { long.MinValue, 1, 2, long.MaxValue }, 1, 2, 2) },
        { "u1 2-d", NpyArray.Create(new byte[] { 0, 1, 254, 255, 7, 9 }, 2, 3) },
        { "text 1-d", NpyArray.Create(new[] { "background", "dög", "🐱", "" }, 4) },
        { "long first dimension", NpyArray.Create(new byte[123456], 123456) },
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Every_type_and_shape_round_trips_with_a_64_byte_aligned_header(string name, NpyArray array)
    {
        var path = _folder.File(name.Replace(' ', '_') + ".npy");
        Npy.Write(path, array);
        var bytes = File.ReadAllBytes(path);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal((byte)'\n', bytes[10 + headerLength - 1]);
        Assert.Equal(10 + headerLength + (long)array.Length * array.ItemSize, bytes.Length);

        var back = Npy.Read(path);
        Assert.Equal(array.DType, back.DType);
        Assert.Equal(array.Shape, back.Shape);
        Assert.Equal(array.Descr, back.Descr);
        Assert.Equal(array.Data, back.Data);
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp-*"));
    }

    [Fact]
    public void Files_written_by_numpy_read_back()
    {
        var i8 = ReadBase64(NumpyInt64, "i8.npy");
        Assert.Equal(new long[] { -1, 0, 1L << 40 }, i8.AsInt64());
        Assert.Equal(new[] { 3 }, i8.Shape);

        var u1 = ReadBase64(NumpyUInt8, "u1.npy");
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, u1.AsUInt8());
        Assert.Equal(new[] { 2, 2 }, u1.Shape);

        var text = ReadBase64(NumpyText, "u.npy");
        Assert.Equal(new[] { "cat", "dög", "🐱x" }, text.AsText());
        Assert.Equal("<U3", text.Descr);

        var scalar = ReadBase64(NumpyFloat64Scalar, "s.npy");
        Assert.Empty(scalar.Shape);
        Assert.Equal(new[] { 2.5 }, scalar.AsFloat64());

        var empty = ReadBase64(NumpyEmpty, "e.npy");
        Assert.Equal(new[] { 0, 3 }, empty.Shape);
        Assert.Empty(empty.AsFloat32());
    }

    [Fact]
    public void What_this_library_writes_equals_what_numpy_writes()
    {
        AssertWritesLike(NpyArray.Create(new long[] { -1, 0, 1L << 40 }, 3), NumpyInt64);
        AssertWritesLike(NpyArray.Create(new byte[] { 0, 1, 254, 255 }, 2, 2), NumpyUInt8);
        AssertWritesLike(NpyArray.Create(new[] { "cat", "dög", "🐱x" }, 3), NumpyText);
        AssertWritesLike(NpyArray.Create(new[] { 2.5 }), NumpyFloat64Scalar);
        AssertWritesLike(NpyArray.Create(Array.Empty<float>(), 0, 3), NumpyEmpty);
    }

    [Fact]
    public void Wrong_magic_is_rejected_naming_the_file()
    {
        var path = _folder.File("not-numpy.npy");
        File.WriteAllText(path, "PK\u0003\u0004 definitely not numpy");
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void Fortran_order_is_rejected_naming_the_file()
    {
        var bytes = HandBuiltFloat32File();
        var text = Encoding.ASCII.GetBytes("True, ");
        int at = IndexOf(bytes, Encoding.ASCII.GetBytes("False, "));
        // "False, " -> "True,  " keeps the header length.
        text.CopyTo(bytes, at);
        bytes[at + text.Length] = (byte)' ';
        var path = _folder.File("fortran.npy");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("Fortran order", e.Message);
    }

    [Theory]
    [InlineData("'>f4'", "big-endian")]
    [InlineData("'|b1'", "not supported")]
    [InlineData("'|O8'", "not supported")]
    public void Unsupported_types_are_rejected_naming_the_file(string descr, string expected)
    {
        var bytes = HandBuiltFloat32File();
        Encoding.ASCII.GetBytes(descr).CopyTo(bytes, IndexOf(bytes, Encoding.ASCII.GetBytes("'<f4'")));
        var path = _folder.File("type.npy");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(4)]   // inside the magic
    [InlineData(9)]   // inside the header length
    [InlineData(60)]  // inside the header
    [InlineData(150)] // inside the data: 22 of 24 data bytes
    public void Truncated_files_are_rejected_naming_the_file(int keep)
    {
        var path = _folder.File("short.npy");
        File.WriteAllBytes(path, HandBuiltFloat32File()[..keep]);
        var e = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        if (keep == 150)
            Assert.Contains("needs 24 data bytes but only 22 remain", e.Message);
    }

    [Fact]
    public void Shape_and_data_must_agree()
    {
        Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => NpyArray.Create(new float[0], -1));
        Assert.Throws<ArgumentException>(() => NpyArray.Create(new[] { "a\0" }, 1));
        Assert.Throws<InvalidOperationException>(() => NpyArray.Create(new float[1]).AsInt32());
    }

    [Fact]
    public void Writing_replaces_an_existing_file()
    {
        var path = _folder.File("replace.npy");
        Npy.Write(path, NpyArray.Create(new byte[1000], 1000));
        Npy.Write(path, NpyArray.Create(new[] { 1, 2 }, 2));
        Assert.Equal(new[] { 1, 2 }, Npy.Read(path).AsInt32());
        Assert.Single(Directory.GetFiles(_folder.Path));
    }

    private NpyArray ReadBase64(string base64, string name)
    {
        var path = _folder.File(name);
        File.WriteAllBytes(path, Convert.FromBase64String(base64));
        return Npy.Read(path);
    }

    private static void AssertWritesLike(NpyArray array, string numpyBase64)
    {
        using var stream = new MemoryStream();
        Npy.Write(stream, array);
        Assert.Equal(Convert.FromBase64String(numpyBase64), stream.ToArray());
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
