using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>SeedMasks given a NaN map or label: the row is refused by the graph's guard, never turned into seed labels.</summary>
public class SeedMaskInputTests
{
    private sealed class Row
    {
        [VectorType(1, 2, 4, 4)]
        public float[] Maps { get; set; } = Enumerable.Range(0, 32).Select(i => i / 31f).ToArray();

        [VectorType(2)]
        public float[] Label { get; set; } = { 1, 1 };
    }

    private static (MLContext Ml, ITransformer Model) Fitted()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.LpCam().SeedMasks("Seed", "Maps", threshold: 0.3f).Fit(ml.Data.LoadFromEnumerable(new[] { new Row() }));
        return (ml, model);
    }

    private static List<byte[]> Seeds(IDataView view) => view.GetColumn<VBuffer<byte>>("Seed").Select(v => v.DenseValues().ToArray()).ToList();

    [Fact]
    public void Good_rows_give_seeds()
    {
        var (ml, model) = Fitted();
        var seeds = Seeds(model.Transform(ml.Data.LoadFromEnumerable(new[] { new Row() })));
        // Map 1 (values 16/31..1) beats map 0 and the background at 0.3 everywhere.
        Assert.Equal(Enumerable.Repeat((byte)2, 16), Assert.Single(seeds));
    }

    [Fact]
    public void Nan_map_is_refused_naming_the_column()
    {
        var (ml, model) = Fitted();
        var bad = new Row();
        bad.Maps[20] = float.NaN;
        var e = Assert.ThrowsAny<Exception>(() => Seeds(model.Transform(ml.Data.LoadFromEnumerable(new[] { new Row(), bad }))));
        Assert.Contains("LpCam input check: column 'Maps' holds NaN or an infinity; expected finite class maps", e.ToString());
    }

    [Fact]
    public void Nan_label_is_refused_naming_the_column()
    {
        var (ml, model) = Fitted();
        var bad = new Row();
        bad.Label[0] = float.NaN;
        var e = Assert.ThrowsAny<Exception>(() => Seeds(model.Transform(ml.Data.LoadFromEnumerable(new[] { bad }))));
        Assert.Contains("LpCam input check: column 'Label' holds NaN or an infinity; expected finite multi-hot labels", e.ToString());
    }
}
