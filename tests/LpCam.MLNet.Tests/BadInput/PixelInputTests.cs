using LpCam.MLNet.Data;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Tests.Support;
using LpCam.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>Pixel rows built from synthetic scenes (planar RGB 0..255, 64 x 64) with faults put in on purpose.</summary>
public sealed class PixelRow
{
    public const int Size = 64;

    [VectorType(3, Size, Size)]
    public float[] Pixels { get; set; } = Array.Empty<float>();

    [VectorType(4)]
    public float[] Label { get; set; } = Array.Empty<float>();

    public static List<PixelRow> Scenes(int count)
    {
        var scenes = SyntheticScenes.Generate(count, seed: 21, size: Size);
        return scenes.Samples.Select(s =>
        {
            var label = new float[4];
            foreach (int c in s.ClassIds) label[c] = 1;
            return new PixelRow { Pixels = (float[])scenes.LoadImage(s).Pixels.Clone(), Label = label };
        }).ToList();
    }

    /// <summary>Index of (channel, y, x) in the planar vector.</summary>
    public static int At(int channel, int y, int x) => (channel * Size + y) * Size + x;
}

/// <summary>One CamFeaturizer fitted on good rows, shared by the Transform tests.</summary>
public sealed class FittedFeaturizer : IDisposable
{
    public FittedFeaturizer()
    {
        Ml = new MLContext(seed: 1);
        Model = Ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 2 }, Device = "cpu" })
            .Fit(Ml.Data.LoadFromEnumerable(PixelRow.Scenes(6)));
    }

    public MLContext Ml { get; }

    public CamFeaturizerTransformer Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// Pixels out of range, non-finite or scaled to 0..1: refused at Fit naming column, row and value; refused at Transform in
/// this process (naming the row) and, through the guard compiled into the ONNX graph, after Model.Load and in a
/// PredictionEngine; never turned into NaN scores or maps.
/// </summary>
public sealed class PixelInputTests : IClassFixture<FittedFeaturizer>, IDisposable
{
    private readonly FittedFeaturizer _fitted;
    private readonly string _dir = Directory.CreateTempSubdirectory("lpcam-pixels-").FullName;

    public PixelInputTests(FittedFeaturizer fitted) => _fitted = fitted;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<PixelRow> WithBad(int row, int index, float value)
    {
        var rows = PixelRow.Scenes(4);
        rows[row].Pixels[index] = value;
        return rows;
    }

    private static InvalidDataException FitFails(List<PixelRow> rows)
    {
        var ml = new MLContext(seed: 1);
        return Assert.Throws<InvalidDataException>(() =>
            ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 1 }, Device = "cpu" }).Fit(ml.Data.LoadFromEnumerable(rows)));
    }

    private static List<float[]> Values(IDataView view, string column) =>
        view.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToList();

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(1000f, "1000")]
    [InlineData(-50f, "-50")]
    public void Fit_refuses_a_bad_pixel_naming_column_row_value_and_position(float value, string shown)
    {
        var e = FitFails(WithBad(2, PixelRow.At(1, 3, 4), value));
        Assert.Contains($"Row 2: pixel column 'Pixels' holds {shown} at (channel 1, y 3, x 4)", e.Message);
        Assert.Contains("expected finite planar RGB values 0..255", e.Message);
    }

    [Fact]
    public void Fit_refuses_pixels_scaled_to_0_1()
    {
        var rows = PixelRow.Scenes(4);
        foreach (var r in rows) r.Pixels = r.Pixels.Select(v => v / 255f).ToArray();
        var e = FitFails(rows);
        Assert.Contains("Pixel column 'Pixels'", e.Message);
        Assert.Contains("look scaled to 0..1", e.Message);
        Assert.Contains("ExtractPixels without scaling", e.Message);

        foreach (var r in rows) r.Pixels = r.Pixels.Select(v => v * 2 - 1).ToArray();
        Assert.Contains("look scaled to 0..1 or -1..1", FitFails(rows).Message);
    }

    [Fact]
    public void Fit_accepts_pixels_at_the_edges_of_the_range()
    {
        var rows = PixelRow.Scenes(4);
        rows[0].Pixels[0] = 0f;
        rows[0].Pixels[1] = 255f;
        rows[1].Pixels[2] = Estimators.PixelRange.Min;
        rows[1].Pixels[3] = Estimators.PixelRange.Max;
        var ml = new MLContext(seed: 1);
        using var model = ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 1 }, Device = "cpu" }).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.All(Values(model.Transform(ml.Data.LoadFromEnumerable(rows)), "Scores"), s => Assert.All(s, v => Assert.True(float.IsFinite(v))));
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(300f, "300")]
    public void Transform_refuses_the_row_when_its_outputs_are_read_naming_it(float value, string shown)
    {
        var ml = _fitted.Ml;
        var output = _fitted.Model.Transform(ml.Data.LoadFromEnumerable(WithBad(1, PixelRow.At(2, 10, 20), value)));
        var e = Assert.Throws<InvalidDataException>(() => Values(output, "Scores"));
        Assert.Contains($"Row 1: pixel column 'Pixels' holds {shown} at (channel 2, y 10, x 20)", e.Message);
        Assert.Throws<InvalidDataException>(() => Values(output, "Cam"));

        // Pass-through columns of the same rows still read.
        Assert.Equal(4, output.GetColumn<VBuffer<float>>("Label").Count());

        // Read row by row, the refusal comes as the same clear exception (ML.NET may compute rows ahead on worker threads, so
        // it can surface at MoveNext of an earlier row), and no NaN score is ever returned.
        var seen = new List<float[]>();
        var rowByRow = Assert.Throws<InvalidDataException>(() =>
        {
            using var cursor = output.GetRowCursor(output.Schema);
            var scores = cursor.GetGetter<VBuffer<float>>(output.Schema["Scores"]);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                scores(ref buffer);
                seen.Add(buffer.DenseValues().ToArray());
            }
        });
        Assert.Contains("Row 1: pixel column 'Pixels'", rowByRow.Message);
        Assert.True(seen.Count <= 1);
        Assert.All(seen, s => Assert.All(s, v => Assert.InRange(v, 0f, 1f)));
    }

    [Fact]
    public void Transform_names_the_right_row_of_a_binary_idv_read_by_parallel_cursors()
    {
        var ml = _fitted.Ml;
        var rows = PixelRow.Scenes(6);
        rows[4].Pixels[PixelRow.At(0, 1, 2)] = float.NegativeInfinity;
        string idv = Path.Combine(_dir, "pixels.idv");
        using (var stream = File.Create(idv)) ml.Data.SaveAsBinary(ml.Data.LoadFromEnumerable(rows), stream);
        var output = _fitted.Model.Transform(ml.Data.LoadFromBinary(idv));
        var e = Assert.Throws<InvalidDataException>(() => Values(output, "Cam"));
        Assert.Contains("Row 4: pixel column 'Pixels' holds -Infinity at (channel 0, y 1, x 2)", e.Message);
    }

    [Fact]
    public void Good_rows_give_the_same_outputs_as_before_the_guard()
    {
        // The guard adds a zero to the pixels: a good row's outputs equal those of the same row alone.
        var ml = _fitted.Ml;
        var rows = PixelRow.Scenes(3);
        var all = Values(_fitted.Model.Transform(ml.Data.LoadFromEnumerable(rows)), "Scores");
        var alone = Values(_fitted.Model.Transform(ml.Data.LoadFromEnumerable(rows.Skip(2).ToList())), "Scores");
        Assert.Equal(all[2], alone[0]);
        Assert.All(all, s => Assert.All(s, v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void Prediction_engine_and_a_reloaded_model_refuse_a_nan_pixel_through_the_graph_guard()
    {
        var ml = _fitted.Ml;
        var bad = WithBad(0, PixelRow.At(0, 0, 0), float.NaN);

        // Not disposed: disposing a PredictionEngine releases the shared transformer's ONNX Runtime session.
        var engine = ml.Model.CreatePredictionEngine<PixelRow, ScoresOnly>(_fitted.Model);
        Assert.Equal(4, engine.Predict(PixelRow.Scenes(1)[0]).Scores.Length);
        var e = Assert.ThrowsAny<Exception>(() => engine.Predict(bad[0]));
        Assert.Contains("LpCam pixel check: column 'Pixels' holds NaN", e.ToString());

        string zip = Path.Combine(_dir, "featurizer.zip");
        var data = ml.Data.LoadFromEnumerable(bad);
        ml.Model.Save(_fitted.Model, data.Schema, zip);
        var loaded = ml.Model.Load(zip, out _);
        Assert.IsNotType<CamFeaturizerTransformer>(loaded);
        var reloaded = Assert.ThrowsAny<Exception>(() => Values(loaded.Transform(data), "Scores"));
        Assert.Contains("LpCam pixel check: column 'Pixels' holds NaN", reloaded.ToString());
    }

    [Fact]
    public void A_fresh_process_with_plain_model_load_refuses_a_nan_pixel_too()
    {
        var ml = _fitted.Ml;
        string zip = Path.Combine(_dir, "featurizer.zip");
        var bad = ml.Data.LoadFromEnumerable(WithBad(1, PixelRow.At(0, 5, 5), float.NaN));
        ml.Model.Save(_fitted.Model, bad.Schema, zip);
        var e = Assert.Throws<InvalidOperationException>(() => FreshProcess.Apply(ml, zip, bad, _dir));
        Assert.Contains("LpCam pixel check: column 'Pixels' holds NaN", e.Message);

        var good = ml.Data.LoadFromEnumerable(PixelRow.Scenes(2));
        var scores = Values(FreshProcess.Apply(ml, zip, good, _dir), "Scores");
        Assert.Equal(Values(_fitted.Model.Transform(good), "Scores"), scores);
    }

    private sealed class ScoresOnly
    {
        [VectorType(1, 4)]
        public float[] Scores { get; set; } = Array.Empty<float>();
    }
}
