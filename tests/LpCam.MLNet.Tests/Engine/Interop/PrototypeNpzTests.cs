using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Engine.Prototypes;

namespace LpCam.MLNet.Tests.Engine.Interop;

public sealed class PrototypeNpzTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static PrototypeSet Sample()
    {
        const int d = 3;
        var c0 = new ClassPrototypes(0,
            new[] { new[] { 1f, 0, 0 }, new[] { 0f, 0.6f, 0.8f } }, new[] { 0.9f, 0.7f },
            new[] { new[] { 0f, 0, 1 } }, new[] { 0.2f });
        var c1 = new ClassPrototypes(1,
            new[] { new[] { 0f, 1, 0 } }, new[] { 0.95f },
            Array.Empty<float[]>(), Array.Empty<float>());
        return new PrototypeSet(d, new[] { c0, c1 });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Prototype_set_and_names_round_trip(bool compress)
    {
        var path = _folder.File("prototypes.npz");
        var set = Sample();
        PrototypeNpz.Write(path, set, new[] { "aeroplane", "bicycle" }, compress);
        var back = PrototypeNpz.Read(path, out var names);
        Assert.Equal(new[] { "aeroplane", "bicycle" }, names);
        Assert.Equal(3, back.FeatureDim);
        Assert.Equal(2, back.ClassCount);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(set.Classes[i].ClassCentres, back.Classes[i].ClassCentres);
            Assert.Equal(set.Classes[i].ClassScores, back.Classes[i].ClassScores);
            Assert.Equal(set.Classes[i].ContextCentres, back.Classes[i].ContextCentres);
            Assert.Equal(set.Classes[i].ContextScores, back.Classes[i].ContextScores);
        }
    }

    [Fact]
    public void Layout_is_the_documented_one()
    {
        var path = _folder.File("layout.npz");
        PrototypeNpz.Write(path, Sample());
        var arrays = Npz.Read(path);
        Assert.Equal(
            new[] { "lpcam_prototypes_version", "feature_dim", "class_count",
                    "class_00_fg", "class_00_fg_scores", "class_00_bg", "class_00_bg_scores",
                    "class_01_fg", "class_01_fg_scores", "class_01_bg", "class_01_bg_scores" },
            arrays.Keys);
        Assert.Empty(arrays["feature_dim"].Shape);
        Assert.Equal(new[] { 3 }, arrays["feature_dim"].AsInt32());
        Assert.Equal(new[] { 2, 3 }, arrays["class_00_fg"].Shape);
        Assert.Equal(new[] { 0, 3 }, arrays["class_01_bg"].Shape);
        Assert.Equal(new[] { 0 }, arrays["class_01_bg_scores"].Shape);
        Assert.Null(ReadNames(path));
    }

    [Fact]
    public void A_missing_array_is_named()
    {
        var path = _folder.File("missing.npz");
        var arrays = Npz.Read(WriteSample()).Where(kv => kv.Key != "class_01_fg_scores");
        Npz.Write(path, arrays);
        var e = Assert.Throws<InvalidDataException>(() => PrototypeNpz.Read(path));
        Assert.Contains("class_01_fg_scores", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_wrongly_typed_array_is_named()
    {
        var path = _folder.File("typed.npz");
        var arrays = Npz.Read(WriteSample()).ToDictionary();
        arrays["class_00_fg"] = NpyArray.Create(new double[6], 2, 3);
        Npz.Write(path, arrays);
        var e = Assert.Throws<InvalidDataException>(() => PrototypeNpz.Read(path));
        Assert.Contains("class_00_fg", e.Message);
        Assert.Contains("'<f8'", e.Message);
    }

    [Fact]
    public void Names_must_match_the_class_count()
    {
        Assert.Throws<ArgumentException>(() => PrototypeNpz.Write(_folder.File("n.npz"), Sample(), new[] { "one" }));
    }

    private string WriteSample()
    {
        var path = _folder.File("sample-" + Guid.NewGuid().ToString("N") + ".npz");
        PrototypeNpz.Write(path, Sample());
        return path;
    }

    private static IReadOnlyList<string>? ReadNames(string path)
    {
        PrototypeNpz.Read(path, out var names);
        return names;
    }
}
