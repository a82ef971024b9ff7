using LpCam.MLNet.Onnx;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>
/// LpCamModelInfo on good, empty, foreign, truncated and damaged model zips: a zip is read whole or refused with a message
/// naming the file and what is wrong, never partly read.
/// </summary>
public sealed class ModelZipTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _good;
    private readonly List<string> _entries;

    public ModelZipTests()
    {
        _good = _temp.File("good.zip");
        ModelZipFiles.WriteTwoComponents(_good);
        _entries = ModelZipFiles.OnnxEntries(_good);
    }

    public void Dispose() => _temp.Dispose();

    private InvalidDataException Refused(string path, params string[] words)
    {
        var e = Assert.Throws<InvalidDataException>(() => LpCamModelInfo.Read(path));
        Assert.Contains(path, e.Message);
        foreach (var w in words) Assert.Contains(w, e.Message);
        return e;
    }

    private string Damaged(string name, Func<byte[], byte[]> change, int entry = 0)
    {
        var path = _temp.File(name);
        ModelZipFiles.Rewrite(_good, path, _entries[entry], change);
        return path;
    }

    [Fact]
    public void Good_zip_gives_every_component_in_pipeline_order()
    {
        Assert.Equal(2, _entries.Count);
        var info = LpCamModelInfo.Read(_good);
        Assert.Equal(new[] { "SeedMask", "SeedMask" }, info.Select(m => m[LpCamModelInfo.ComponentKey]));
        Assert.Equal(new[] { "0.3", "0.6" }, info.Select(m => m["lpcam.threshold"]));
    }

    [Fact]
    public void Missing_empty_and_non_zip_files_are_refused_by_name()
    {
        Assert.Contains(_temp.File("none.zip"), Assert.Throws<FileNotFoundException>(() => LpCamModelInfo.Read(_temp.File("none.zip"))).Message);
        var empty = _temp.File("empty.zip");
        File.WriteAllBytes(empty, Array.Empty<byte>());
        Refused(empty, "empty file (0 bytes)");
        var text = _temp.File("text.zip");
        File.WriteAllText(text, "not a zip at all");
        Refused(text, "not a readable zip file");
        var half = _temp.File("half.zip");
        var bytes = File.ReadAllBytes(_good);
        File.WriteAllBytes(half, bytes[..(bytes.Length / 2)]);
        Refused(half, "not a readable zip file");
    }

    [Fact]
    public void Zip_without_an_lpcam_component_is_refused()
    {
        var foreign = _temp.File("foreign.zip");
        ModelZipFiles.WriteForeign(foreign);
        Refused(foreign, "no LpCam.MLNet component");
        Assert.Contains("holds no CamFeaturizer graph", Assert.Throws<InvalidDataException>(() => LpCamModelInfo.ReadClassifierHead(_good)).Message);
    }

    [Fact]
    public void Truncated_onnx_entry_is_refused_not_skipped()
    {
        // Before: the damaged first component was skipped and Read returned one component without an error.
        var path = Damaged("truncated-entry.zip", b => b[..(b.Length - 40)]);
        Refused(path, _entries[0], "damaged or truncated", $"announces {ModelZipFiles.Model(EntryBytes(0)).CalculateSize()} bytes");
        Refused(Damaged("tiny-entry.zip", b => b[..3]), _entries[0], "truncated: 3 bytes");
        Refused(Damaged("padded-entry.zip", b => b.Concat(new byte[8]).ToArray(), entry: 1), _entries[1], "damaged or truncated");
    }

    [Fact]
    public void Unparseable_onnx_entry_is_refused()
    {
        var garbage = Damaged("garbage-entry.zip", b => BitConverter.GetBytes(b.Length - 4).Concat(Enumerable.Repeat((byte)0xFF, b.Length - 4)).ToArray(), entry: 1);
        Refused(garbage, _entries[1], "does not hold a parseable ONNX model");
    }

    [Fact]
    public void Component_without_format_version_or_with_an_unknown_one_is_refused()
    {
        var noVersion = Damaged("no-version.zip", b =>
        {
            var model = ModelZipFiles.Model(b);
            var keep = model.MetadataProps.Where(p => p.Key != LpCamModelInfo.FormatVersionKey).ToList();
            model.MetadataProps.Clear();
            model.MetadataProps.Add(keep);
            return ModelZipFiles.Entry(model);
        });
        Refused(noVersion, _entries[0], $"lacks the metadata key '{LpCamModelInfo.FormatVersionKey}'");

        var future = Damaged("future.zip", b =>
        {
            var model = ModelZipFiles.Model(b);
            model.MetadataProps.Single(p => p.Key == LpCamModelInfo.FormatVersionKey).Value = "99";
            return ModelZipFiles.Entry(model);
        });
        Refused(future, "format version '99'", $"reads format version {LpCamModelInfo.FormatVersion}");
    }

    [Fact]
    public void Flipped_bytes_inside_the_compressed_zip_data_are_refused()
    {
        // Damage the stored (compressed) bytes of the first OnnxModel entry in place: the zip directory still reads.
        var bytes = File.ReadAllBytes(_good);
        int header = IndexOf(bytes, System.Text.Encoding.ASCII.GetBytes(_entries[0]));
        Assert.True(header > 0);
        int data = header + _entries[0].Length; // local header: name, then (no) extra field, then the data
        for (int i = data + 20; i < data + 60; i++) bytes[i] ^= 0x5A;
        var path = _temp.File("flipped.zip");
        File.WriteAllBytes(path, bytes);
        var e = Refused(path, _entries[0]);
        Assert.Matches("damaged|parseable|truncated", e.Message);
    }

    [Theory]
    [InlineData(null, "AAAAAA==", "lacks the metadata key 'lpcam.class_names'")]
    [InlineData("a\nb", null, "lacks the metadata key 'lpcam.head_weights'")]
    [InlineData("a\nb", "not base64!", "'lpcam.head_weights' that is not base64")]
    [InlineData("a\nb", "AAAAAAAAAAAAAAAA", "12 bytes of head weights, not a whole number of float rows for its 2 classes")]
    [InlineData("a\nb", "AADAfwAAwH8=", "non-finite head weight (NaN) at index 0")]
    public void Classifier_head_with_missing_or_damaged_metadata_is_refused(string? classNames, string? weights, string words)
    {
        // A CamFeaturizer graph's metadata put on a small graph: ReadClassifierHead reads only the metadata.
        var path = Damaged("head.zip", b =>
        {
            var model = ModelZipFiles.Model(b);
            model.MetadataProps.Single(p => p.Key == LpCamModelInfo.ComponentKey).Value = "CamFeaturizer";
            if (classNames != null) model.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = "lpcam.class_names", Value = classNames });
            if (weights != null) model.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = "lpcam.head_weights", Value = weights });
            return ModelZipFiles.Entry(model);
        });
        var e = Assert.Throws<InvalidDataException>(() => LpCamModelInfo.ReadClassifierHead(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(words, e.Message);
    }

    [Fact]
    public void Classifier_head_with_good_metadata_is_read()
    {
        var weights = new float[] { 1, 2, 3, 4, 5, 6 };
        var path = Damaged("head.zip", b =>
        {
            var model = ModelZipFiles.Model(b);
            model.MetadataProps.Single(p => p.Key == LpCamModelInfo.ComponentKey).Value = "CamFeaturizer";
            model.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = "lpcam.class_names", Value = "a\nb" });
            model.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = "lpcam.head_weights", Value = Convert.ToBase64String(weights.SelectMany(BitConverter.GetBytes).ToArray()) });
            return ModelZipFiles.Entry(model);
        });
        var head = LpCamModelInfo.ReadClassifierHead(path);
        Assert.Equal((2, 3), (head.ClassCount, head.FeatureDim));
        Assert.Equal(weights, head.Weights);
    }

    private byte[] EntryBytes(int entry)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(_good);
        using var s = zip.GetEntry(_entries[entry])!.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}
