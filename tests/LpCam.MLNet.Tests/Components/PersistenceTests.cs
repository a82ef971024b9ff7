using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Onnx;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.Components;

public class PersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lpcam-persist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Prediction
    {
        [VectorType(1, 20)]
        public float[] Scores { get; set; } = Array.Empty<float>();
        [VectorType(1, 64, 64)]
        public byte[] SeedMask { get; set; } = Array.Empty<byte>();
    }

    private static List<T[]> Values<T>(IDataView view, string column) =>
        view.GetColumn<VBuffer<T>>(column).Select(v => v.DenseValues().ToArray()).ToList();

    [Fact]
    public void Fitted_pipeline_saves_and_a_separate_process_loads_it_with_the_same_outputs()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(VocRow.Slice(12));
        var pipeline = VocRow.ImagePipeline(ml, 64)
            .Append(ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 5 }, ClassNames = VocDev.ClassNames, Device = "cpu" }))
            .Append(ml.LpCam().SeedMasks(mapsColumnName: "Cam", threshold: 0.2f));
        var model = pipeline.Fit(train);
        var test = ml.Data.LoadFromEnumerable(VocRow.Slice(12).Skip(9).ToList());
        var expected = model.Transform(test);

        // The estimator, the fitted transformer and (below) the reloaded transformer agree on the schema.
        var shape = pipeline.GetOutputSchema(Schemas.ShapeOf(test.Schema));
        foreach (var name in new[] { "Features", "Scores", "Cam", "SeedMask" })
        {
            var column = Schemas.Column(shape, name);
            Assert.Equal(Schemas.ItemType(expected.Schema[name].Type), column.ItemType);
            Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        }

        string zip = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, train.Schema, zip);
        var actual = FreshProcess.Apply(ml, zip, test, _dir);
        Assert.Contains("Microsoft.ML.Transforms.Onnx.OnnxTransformer", FreshProcess.LastOutput);

        foreach (var name in new[] { "Scores", "Cam", "Features" })
        {
            Assert.Equal(expected.Schema[name].Type, actual.Schema[name].Type);
            var e = Values<float>(expected, name);
            var a = Values<float>(actual, name);
            Assert.Equal(3, a.Count);
            for (int i = 0; i < e.Count; i++) Assert.Equal(e[i], a[i]);
        }
        var seedsExpected = Values<byte>(expected, "SeedMask");
        Assert.Equal(seedsExpected, Values<byte>(actual, "SeedMask"));
        Assert.Contains(seedsExpected, s => s.Any(v => v > 0));

        // What a user inspects after loading is in the zip.
        var info = LpCamModelInfo.Read(zip);
        Assert.Equal(new[] { "CamFeaturizer", "SeedMask" }, info.Select(m => m[LpCamModelInfo.ComponentKey]));
        Assert.Equal(VocDev.ClassNames, info[0]["lpcam.class_names"].Split('\n'));
        Assert.Equal("0.2", info[1]["lpcam.threshold"]);
        Assert.All(info, m => Assert.Equal(LpCamModelInfo.FormatVersion, m[LpCamModelInfo.FormatVersionKey]));
    }

    [Fact]
    public void Prediction_engine_works_on_a_reloaded_model()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(VocRow.Slice(8));
        var model = VocRow.ImagePipeline(ml, 64)
            .Append(ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 5 }, Device = "cpu" }))
            .Append(ml.LpCam().SeedMasks(mapsColumnName: "Cam", threshold: 0.2f))
            .Fit(train);
        string zip = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, train.Schema, zip);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(zip, out _);
        var engine = fresh.Model.CreatePredictionEngine<VocRow, Prediction>(loaded);
        var row = VocRow.Slice(8)[3];
        var p = engine.Predict(row);
        var expected = ml.Model.CreatePredictionEngine<VocRow, Prediction>(model).Predict(row);
        Assert.Equal(20, p.Scores.Length);
        Assert.Equal(64 * 64, p.SeedMask.Length);
        Assert.Equal(expected.Scores, p.Scores);
        Assert.Equal(expected.SeedMask, p.SeedMask);
        // Seeds only use the image's own classes: every seed label is 0 or one of its labels + 1.
        var allowed = row.Label.Select((v, c) => (v, c)).Where(t => t.v > 0).Select(t => (byte)(t.c + 1)).Append((byte)0).ToHashSet();
        Assert.All(p.SeedMask, v => Assert.Contains(v, allowed));
    }
}
