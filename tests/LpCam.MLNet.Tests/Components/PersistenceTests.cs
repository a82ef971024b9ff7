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
        [VectorType(1, 2)]
        public float[] MapSize { get; set; } = Array.Empty<float>();
        public byte[] SeedMask { get; set; } = Array.Empty<byte>();
    }

    private static List<T[]> Values<T>(IDataView view, string column) =>
        view.GetColumn<VBuffer<T>>(column).Select(v => v.DenseValues().ToArray()).ToList();

    [Fact]
    public void Fitted_pipeline_saves_and_a_separate_process_loads_it_with_the_same_outputs()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(VocSizedRow.Slice(12));
        var pipeline = VocSizedRow.CanvasPipeline(ml, 96, 96)
            .Append(ml.LpCam().CamFeaturizer(new()
            {
                Head = new MultiLabelHeadOptions { Epochs = 5 }, ClassNames = VocDev.ClassNames, Device = "cpu",
                ImageSizeColumnName = "ImageSize", Scales = [1.0, 0.5],
            }))
            .Append(ml.LpCam().LocalPrototypes(new() { Fitting = new() { Clusters = 3 }, ForegroundOnlyColumnName = "LpCamF" }))
            .Append(ml.LpCam().SeedMasks(mapsColumnName: "LpCam", classes: LpCam.MLNet.Estimators.SeedClasses.LabelsOrPredicted));
        var model = pipeline.Fit(train);
        var test = ml.Data.LoadFromEnumerable(VocSizedRow.Slice(12).Skip(9).ToList());
        var expected = model.Transform(test);

        // The estimator, the fitted transformer and (below) the reloaded transformer agree on the schema.
        var shape = pipeline.GetOutputSchema(Schemas.ShapeOf(test.Schema));
        foreach (var name in new[] { "Features", "FeatureSize", "Scores", "Cam", "MapSize", "LpCam", "LpCamF", "SeedMask" })
        {
            var column = Schemas.Column(shape, name);
            Assert.Equal(Schemas.ItemType(expected.Schema[name].Type), column.ItemType);
            Assert.Equal(SchemaShape.Column.VectorKind.Vector, column.Kind);
        }

        string zip = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, train.Schema, zip);
        var actual = FreshProcess.Apply(ml, zip, test, _dir);
        Assert.Contains("Microsoft.ML.Transforms.Onnx.OnnxTransformer", FreshProcess.LastOutput);

        foreach (var name in new[] { "Scores", "Cam", "Features", "FeatureSize", "MapSize", "LpCam", "LpCamF" })
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
        Assert.Equal(new[] { "CamFeaturizer", "LocalPrototypes", "SeedMask" }, info.Select(m => m[LpCamModelInfo.ComponentKey]));
        Assert.Equal(VocDev.ClassNames, info[0]["lpcam.class_names"].Split('\n'));
        Assert.Equal(VocDev.ClassNames, info[1]["lpcam.class_names"].Split('\n')); // from the scores' slot names
        Assert.Equal("0.3", info[2]["lpcam.threshold"]);
        Assert.Equal("LabelsOrPredicted", info[2]["lpcam.classes"]);
        Assert.Equal(new LpCam.MLNet.Estimators.FeatureColumnLayout([1.0, 0.5], true).ToString(), LpCamModelInfo.ReadFeatureLayout(zip).ToString());

        // The typed reader gives back what was fitted: head, prototypes, settings.
        var contents = LpCamModelInfo.ReadContents(zip);
        var chain = model.ToArray();
        var featurizer = (LpCam.MLNet.Transforms.CamFeaturizerTransformer)chain[^3];
        var prototypes = (LpCam.MLNet.Transforms.LpCamTransformer)chain[^2];
        Assert.Equal(new[] { "CamFeaturizer", "LocalPrototypes", "SeedMask" }, contents.Components);
        Assert.Equal(VocDev.ClassNames, contents.ClassNames);
        Assert.Equal(featurizer.Head.Weights, contents.Head!.Weights);
        Assert.Equal("scales=1,0.5;flip=true", contents.Layout!.ToString());
        Assert.Equal(3, contents.Clusters);
        Assert.Equal(0.1, contents.Tau!.Value, 6);
        Assert.Equal(new[] { 0.3 }, contents.SeedThresholds.Select(t => Math.Round(t, 6)));
        for (int c = 0; c < 20; c++)
        {
            Assert.Equal(prototypes.Prototypes.Classes[c].ClassCentres, contents.Prototypes!.Classes[c].ClassCentres);
            Assert.Equal(prototypes.Prototypes.Classes[c].ContextCentres, contents.Prototypes.Classes[c].ContextCentres);
        }
        Assert.All(info, m => Assert.Equal(LpCamModelInfo.FormatVersion, m[LpCamModelInfo.FormatVersionKey]));
    }

    [Fact]
    public void Prediction_engine_works_on_a_reloaded_model()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(VocSizedRow.Slice(8));
        var model = VocSizedRow.CanvasPipeline(ml, 64, 64)
            .Append(ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 5 }, Device = "cpu", ImageSizeColumnName = "ImageSize" }))
            .Append(ml.LpCam().SeedMasks(mapsColumnName: "Cam", classes: LpCam.MLNet.Estimators.SeedClasses.LabelsOrPredicted, threshold: 0.2f))
            .Fit(train);
        string zip = Path.Combine(_dir, "model.zip");
        ml.Model.Save(model, train.Schema, zip);

        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Model.Load(zip, out _);
        var engine = fresh.Model.CreatePredictionEngine<VocSizedRow, Prediction>(loaded);
        var row = VocSizedRow.Slice(8)[3];
        var p = engine.Predict(row);
        var expected = ml.Model.CreatePredictionEngine<VocSizedRow, Prediction>(model).Predict(row);
        Assert.Equal(20, p.Scores.Length);
        var (h4, w4) = LpCam.MLNet.Engine.Features.InferenceScales.Stride4Size((int)row.ImageSize[0], (int)row.ImageSize[1]);
        Assert.Equal(new float[] { h4, w4 }, p.MapSize);
        Assert.Equal(h4 * w4, p.SeedMask.Length);
        Assert.Equal(expected.Scores, p.Scores);
        Assert.Equal(expected.SeedMask, p.SeedMask);
        // A labelled row: seeds only for its own classes (every seed label is 0 or one of its labels + 1).
        Assert.All(p.SeedMask, v => Assert.Contains(v, Allowed(row.Label)));

        // The same image without labels: seeds for the classes scored above 0.5.
        var unlabelled = new VocSizedRow { ImagePath = row.ImagePath, ImageSize = row.ImageSize, Label = new float[20] };
        var u = engine.Predict(unlabelled);
        var predicted = u.Scores.Select(s => s > 0.5f ? 1f : 0f).ToArray();
        Assert.All(u.SeedMask, v => Assert.Contains(v, Allowed(predicted)));
        Assert.Equal(predicted.Any(v => v > 0), u.SeedMask.Any(v => v > 0));
    }

    private static HashSet<byte> Allowed(float[] classes) =>
        classes.Select((v, c) => (v, c)).Where(t => t.v > 0).Select(t => (byte)(t.c + 1)).Append((byte)0).ToHashSet();
}
