using LpCam.MLNet.Engine.Interop;

namespace LpCam.MLNet.Tests.Engine.Interop;

public sealed class NpzTests : IDisposable
{
    // numpy 1.24.2: np.savez(f, a=np.arange(3, dtype='<i4'), m=np.array([[1.5, -2]], dtype='<f4')), and the same with
    // np.savez_compressed (base64).
    private const string NumpyStored = "UEsDBBQAAAAAAAAAIQAC7L2pjAAAAIwAAAAFABQAYS5ucHkBABAAjAAAAAAAAACMAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxpNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgzLCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAAAAAEAAAACAAAAUEsDBBQAAAAAAAAAIQD9z6UIiAAAAIgAAAAFABQAbS5ucHkBABAAiAAAAAAAAACIAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgxLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAADAPwAAAMBQSwECFAMUAAAAAAAAACEAAuy9qYwAAACMAAAABQAAAAAAAAAAAAAAgAEAAAAAYS5ucHlQSwECFAMUAAAAAAAAACEA/c+lCIgAAACIAAAABQAAAAAAAAAAAAAAgAHDAAAAbS5ucHlQSwUGAAAAAAIAAgBmAAAAggEAAAAA";
    private const string NumpyCompressed = "UEsDBBQAAAAIAAAAIQAC7L2pTAAAAIwAAAAFABQAYS5ucHkBABAAjAAAAAAAAABMAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TaaKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6mjoKtQoUAC4GIGAEYiYgBgBQSwMEFAAAAAgAAAAhAP3PpQhNAAAAiAAAAAUAFABtLm5weQEAEACIAAAAAAAAAE0AAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNmoq6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkahjoKRpo6CrUKZAMuBoYD9gxAAgBQSwECFAMUAAAACAAAACEAAuy9qUwAAACMAAAABQAAAAAAAAAAAAAAgAEAAAAAYS5ucHlQSwECFAMUAAAACAAAACEA/c+lCE0AAACIAAAABQAAAAAAAAAAAAAAgAGDAAAAbS5ucHlQSwUGAAAAAAIAAgBmAAAABwEAAAAA";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Several_named_arrays_round_trip_in_order(bool compress)
    {
        var path = _folder.File("several.npz");
        var arrays = new Dictionary<string, NpyArray>
        {
            ["maps"] = NpyArray.Create(new float[] { 0.1f, 0.9f, 0.5f, 0.2f, 0, 1 }, 2, 1, 3),
            ["keys"] = NpyArray.Create(new[] { 3, 15 }, 2),
            ["mask"] = NpyArray.Create(new byte[] { 0, 255, 3 }, 3),
            ["none"] = NpyArray.Create(Array.Empty<long>(), 0),
        };
        Npz.Write(path, arrays, compress);
        var back = Npz.Read(path);
        Assert.Equal(arrays.Keys, back.Keys);
        foreach (var (name, array) in arrays)
        {
            Assert.Equal(array.Shape, back[name].Shape);
            Assert.Equal(array.Data, back[name].Data);
        }
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp-*"));
    }

    [Theory]
    [InlineData(NumpyStored)]
    [InlineData(NumpyCompressed)]
    public void Archives_written_by_numpy_read_back(string base64)
    {
        var path = _folder.File("numpy.npz");
        File.WriteAllBytes(path, Convert.FromBase64String(base64));
        var back = Npz.Read(path);
        Assert.Equal(new[] { "a", "m" }, back.Keys);
        Assert.Equal(new[] { 0, 1, 2 }, back["a"].AsInt32());
        Assert.Equal(new[] { 1, 2 }, back["m"].Shape);
        Assert.Equal(new[] { 1.5f, -2f }, back["m"].AsFloat32());
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_rejected_naming_it()
    {
        var path = _folder.File("plain.npz");
        File.WriteAllText(path, "hello");
        var e = Assert.Throws<InvalidDataException>(() => Npz.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_bad_entry_is_rejected_naming_the_file_and_the_entry()
    {
        var path = _folder.File("bad-entry.npz");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var s = zip.CreateEntry("x.npy").Open();
            s.Write(new byte[] { 0x93, (byte)'N', (byte)'U' });
        }
        var e = Assert.Throws<InvalidDataException>(() => Npz.Read(path));
        Assert.Contains(path + ":x.npy", e.Message);
    }

    [Fact]
    public void Repeated_names_are_rejected()
    {
        var one = NpyArray.Create(new[] { 1 }, 1);
        Assert.Throws<ArgumentException>(() => Npz.Write(_folder.File("r.npz"), new[] { KeyValuePair.Create("a", one), KeyValuePair.Create("a", one) }));
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void One_float_array_is_read_into_a_reused_buffer(bool compress)
    {
        var path = _folder.File("f.npz");
        Npz.Write(path, new Dictionary<string, NpyArray>
        {
            ["keys"] = NpyArray.Create(new[] { 3 }, 1),
            ["f"] = NpyArray.Create(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 1, 3),
        }, compress);
        var buffer = new float[8];
        var given = buffer;
        Assert.Equal(new[] { 2, 1, 3 }, Npz.ReadFloat32(path, "f", ref buffer));
        Assert.Same(given, buffer); // large enough: reused
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, buffer[..6]);

        var small = new float[2];
        Npz.ReadFloat32(path, "f", ref small);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, small); // replaced by a larger one

        Assert.Contains("'g'", Assert.Throws<InvalidDataException>(() => Npz.ReadFloat32(path, "g", ref buffer)).Message);
        Assert.Contains("float32", Assert.Throws<InvalidDataException>(() => Npz.ReadFloat32(path, "keys", ref buffer)).Message);
    }
}
