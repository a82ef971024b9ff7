using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.LpCam;
using LpCam.MLNet.Engine.Prototypes;
using LpCam.MLNet.Estimators;
using LpCam.MLNet.Tests.Support;
using LpCam.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Components;

public class LocalPrototypeEstimatorTests
{
    private static List<float[]> Values(IDataView view, string column) =>
        view.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray()).ToList();

    [Fact]
    public void Fit_in_a_pipeline_equals_the_engine_on_the_same_features()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(VocRow.CoveringAllClasses(2).Select(r => new VocSizedRow(r.Name)).ToList());
        var fitting = new PrototypeFitterOptions { Clusters = 3, Seed = 5 };
        var model = VocSizedRow.CanvasPipeline(ml, 128, 128)
            .Append(ml.LpCam().CamFeaturizer(new()
            {
                Head = new MultiLabelHeadOptions { Epochs = 30 }, Device = "cpu", ImageSizeColumnName = "ImageSize", Scales = [1.0, 1.5],
            }))
            .Append(ml.LpCam().LocalPrototypes(new() { Fitting = fitting, ForegroundOnlyColumnName = "LpCamF" }))
            .Fit(data);
        var output = model.Transform(data);
        var lpcam = (LpCamTransformer)model.LastTransformer;
        var featurizer = (CamFeaturizerTransformer)((ITransformer[])model.ToArray())[^2];
        Assert.False(((VectorDataViewType)output.Schema["LpCam"].Type).IsKnownSize);

        // The same fit, by the engine, on the same scale-1 features, CAMs and labels.
        var features = Values(output, "Features");
        var featureSizes = Values(output, "FeatureSize");
        var mapSizes = Values(output, "MapSize");
        var cams = Values(output, "Cam");
        var labels = Values(output, "Label");
        var fitter = new PrototypeFitter(20, fitting);
        for (int i = 0; i < features.Count; i++)
        {
            var classes = labels[i].Select((v, c) => (v, c)).Where(t => t.v == 1).Select(t => t.c).ToList();
            var blocks = PackedFeatures.Blocks(features[i], featureSizes[i], featurizer.Layout, 512);
            using var f = blocks[0].Features.Features.squeeze(0);
            using var all = tensor(cams[i], new long[] { 20, (long)mapSizes[i][0], (long)mapSizes[i][1] });
            using var idx = tensor(classes.Select(c => (long)c).ToArray());
            using var selected = all.index_select(0, idx);
            fitter.Add(f, selected, classes);
        }
        using var w = tensor(featurizer.Head.Weights, new long[] { 20, 512 });
        var direct = fitter.Fit(w).Prototypes;
        for (int c = 0; c < 20; c++)
        {
            Assert.Equal(direct.Classes[c].ClassCentres, lpcam.Prototypes.Classes[c].ClassCentres);
            Assert.Equal(direct.Classes[c].ContextCentres, lpcam.Prototypes.Classes[c].ContextCentres);
        }
        Assert.Contains(lpcam.Prototypes.Classes, c => c.ContextCentres.Length > 0);

        // The transformer's maps equal the engine's multi-scale + flip LPCAM and LPCAM-F.
        var maps = Values(output, "LpCam");
        var mapsF = Values(output, "LpCamF");
        using var engine = new LocalPrototypeMap(direct);
        using var engineF = new LocalPrototypeMap(direct, foregroundOnly: true);
        foreach (int i in new[] { 0, 7 })
        {
            var scales = PackedFeatures.InferenceScales(features[i], featureSizes[i], featurizer.Layout, 512);
            using var expected = engine.Compute(scales, (long)mapSizes[i][0], (long)mapSizes[i][1]);
            using var expectedF = engineF.Compute(scales, (long)mapSizes[i][0], (long)mapSizes[i][1]);
            Assert.True(maps[i].Zip(expected.data<float>().ToArray(), (a, b) => Math.Abs(a - b)).Max() < 1e-4f);
            Assert.True(mapsF[i].Zip(expectedF.data<float>().ToArray(), (a, b) => Math.Abs(a - b)).Max() < 1e-4f);
        }
        Assert.Equal("3", lpcam.Metadata["lpcam.k"]);
    }

    private sealed class PlainRow
    {
        [VectorType(1, 4, 2, 2)] public float[] Features { get; set; } = Array.Empty<float>();
        [VectorType(1, 2)] public float[] FeatureSize { get; set; } = [2, 2];
        [VectorType(1, 20, 4, 4)] public float[] Cam { get; set; } = Array.Empty<float>();
        [VectorType(1, 2)] public float[] MapSize { get; set; } = [4, 4];
        [VectorType(20)] public float[] Label { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void Without_a_featurizer_in_the_pipeline_the_classifier_must_be_given()
    {
        var rng = new Random(3);
        var rows = Enumerable.Range(0, 40).Select(i =>
        {
            var label = new float[20];
            label[i % 20] = 1;
            var cam = new float[20 * 16];
            for (int p = 0; p < 16; p++) cam[(i % 20) * 16 + p] = p < 8 ? 1f : 0f;
            return new PlainRow { Features = Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble()).ToArray(), Cam = cam, Label = label };
        }).ToList();
        var ml = new MLContext(seed: 1);
        var plain = ml.Data.LoadFromEnumerable(rows);

        var layout = new FeatureColumnLayout([1.0], Flip: false);
        var e = Assert.Throws<InvalidOperationException>(() => ml.LpCam().LocalPrototypes(new() { Layout = layout }).Fit(plain));
        Assert.Contains("'Cam' carries no classifier weights", e.Message);
        Assert.Contains("Options.Classifier", e.Message);

        var head = new ClassifierHead(20, 4, Enumerable.Range(0, 80).Select(_ => (float)rng.NextDouble()).ToArray());
        var noLayout = Assert.Throws<InvalidOperationException>(() => ml.LpCam().LocalPrototypes(new() { Classifier = head }).Fit(plain));
        Assert.Contains("'Features' carries no feature layout", noLayout.Message);
        Assert.Contains("Options.Layout", noLayout.Message);

        var wrong = new ClassifierHead(20, 3, new float[60]);
        var shape = Assert.Throws<InvalidDataException>(() => ml.LpCam().LocalPrototypes(new() { Classifier = wrong, Layout = layout }).Fit(plain));
        Assert.Contains("16 values", shape.Message);
        Assert.Contains("D = 3", shape.Message);

        var fitted = ml.LpCam().LocalPrototypes(new() { Classifier = head, Layout = layout, Fitting = new() { Clusters = 2 } }).Fit(plain);
        Assert.Equal(20, fitted.Prototypes.ClassCount);
        var maps = fitted.Transform(plain).GetColumn<VBuffer<float>>("LpCam").First().DenseValues().ToArray();
        Assert.Equal(20 * 16, maps.Length);
        Assert.All(maps, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Options_are_checked_at_construction_naming_the_setting()
    {
        var ml = new MLContext();
        Assert.Contains("Clusters", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().LocalPrototypes(new() { Fitting = new() { Clusters = 0 } })).Message);
        Assert.Contains("Tau", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().LocalPrototypes(new() { Fitting = new() { Tau = 1.5f } })).Message);
        Assert.Contains("ForegroundOnlyColumnName", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().LocalPrototypes(new() { ForegroundOnlyColumnName = "LpCam" })).Message);
        Assert.Contains("Threshold", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().SeedMasks(threshold: float.NaN)).Message);
    }
}
