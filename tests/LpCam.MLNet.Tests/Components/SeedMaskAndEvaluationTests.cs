using Microsoft.ML.Transforms.Onnx;
using LpCam.MLNet.Data;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Estimators;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;
using ConfusionMatrix = LpCam.MLNet.Engine.Metrics.ConfusionMatrix;

namespace LpCam.MLNet.Tests.Components;

public class SeedMaskAndEvaluationTests
{
    private sealed class MapRow
    {
        [VectorType(1, 3, 4, 5)] public float[] Maps { get; set; } = Array.Empty<float>();
        [VectorType(3)] public float[] Label { get; set; } = Array.Empty<float>();
        [VectorType(3)] public float[] Scores { get; set; } = Array.Empty<float>();
    }

    private static List<MapRow> RandomRows(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => new MapRow
        {
            Maps = Enumerable.Range(0, 60).Select(_ => (float)Math.Round(rng.NextDouble(), 1)).ToArray(), // ties with t happen
            Label = Enumerable.Range(0, 3).Select(_ => rng.Next(2) == 0 ? 0f : 1f).ToArray(),
            Scores = Enumerable.Range(0, 3).Select(_ => (float)rng.NextDouble()).ToArray(),
        }).ToList();
    }

    private static byte[] EngineSeed(float[] maps, IEnumerable<int> classes, float t)
    {
        var list = classes.ToList();
        var selected = list.SelectMany(c => maps.Skip(c * 20).Take(20)).ToArray();
        return SeedMasks.FromMaps(selected, 4, 5, list.Select(c => c + 1).ToList(), t);
    }

    [Fact]
    public void Fit_makes_the_contexts_onnx_sessions_non_spinning_unless_it_has_its_own_and_a_reload_gives_the_same_seeds()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(RandomRows(6, 5));
        Assert.Null(ml.GetOnnxSessionOption());
        var model = ml.LpCam().SeedMasks(mapsColumnName: "Maps").Fit(data);
        Assert.NotNull(ml.GetOnnxSessionOption()?.CreateSessionOptions);
        using (var options = ml.GetOnnxSessionOption().CreateSessionOptions()) Assert.NotNull(options);
        var expected = model.Transform(data).GetColumn<VBuffer<byte>>("SeedMask").Select(v => v.DenseValues().ToArray()).ToList();

        // The session options are not in the zip: a fresh context loads the model with or without them, same seeds.
        using var zip = new MemoryStream();
        ml.Model.Save(model, data.Schema, zip);
        foreach (bool nonSpinning in new[] { true, false })
        {
            var fresh = new MLContext();
            if (nonSpinning) fresh.LpCam().UseNonSpinningOnnxSessions();
            zip.Position = 0;
            var loaded = fresh.Model.Load(zip, out _);
            Assert.Equal(expected, loaded.Transform(data).GetColumn<VBuffer<byte>>("SeedMask").Select(v => v.DenseValues().ToArray()).ToList());
        }

        // A context with session options of its own keeps them.
        var own = new Microsoft.ML.Transforms.Onnx.OnnxSessionOptions { IntraOpNumThreads = 1 };
        var ml2 = new MLContext(seed: 1);
        ml2.SetOnnxSessionOption(own);
        ml2.LpCam().SeedMasks(mapsColumnName: "Maps").Fit(ml2.Data.LoadFromEnumerable(RandomRows(2, 1)));
        Assert.Same(own, ml2.GetOnnxSessionOption());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Seed_masks_equal_the_engine_for_labels_and_for_predicted_classes(bool predicted)
    {
        var ml = new MLContext(seed: 1);
        var rows = RandomRows(20, 3);
        var data = ml.Data.LoadFromEnumerable(rows);
        var estimator = ml.LpCam().SeedMasks(new SeedMaskEstimator.Options
        {
            MapsColumnName = "Maps",
            Classes = predicted ? SeedClasses.Predicted : SeedClasses.Labels,
            ScoreThreshold = 0.5f,
            Threshold = 0.3f,
        });
        var seeds = estimator.Fit(data).Transform(data).GetColumn<VBuffer<byte>>("SeedMask").Select(v => v.DenseValues().ToArray()).ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            var source = predicted ? rows[i].Scores.Select(s => s > 0.5f ? 1f : 0f) : rows[i].Label;
            var classes = source.Select((v, c) => (v, c)).Where(p => p.v > 0.5f).Select(p => p.c);
            Assert.Equal(EngineSeed(rows[i].Maps, classes, 0.3f), seeds[i]);
        }
    }

    [Fact]
    public void Schema_errors_of_the_map_consumers_name_the_column_and_the_shapes()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(RandomRows(2, 1));
        // A maps column without one [H, W] map per class (here the 3-slot label vector itself).
        var wrongMaps = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().SeedMasks(new SeedMaskEstimator.Options { MapsColumnName = "Label" }).Fit(data));
        Assert.Contains("Schema mismatch for input column 'Label'", wrongMaps.Message);
        Assert.Contains("[.., 3, H, W]", wrongMaps.Message);

        // LocalPrototypes reads CamFeaturizer's columns: one that is missing is named.
        var lp = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().LocalPrototypes(new LocalPrototypeEstimator.Options
        {
            FeaturesColumnName = "Maps", CamColumnName = "Maps", LabelColumnName = "Label",
        }).Fit(ml.Data.LoadFromEnumerable(new[] { new WideLabelRow() })));
        Assert.Contains("'MapSize'", lp.Message);
    }

    private sealed class WideLabelRow
    {
        [VectorType(1, 3, 4, 5)] public float[] Maps { get; set; } = new float[60];
        [VectorType(4)] public float[] Label { get; set; } = new float[4];
    }

    private sealed class VariablePixels
    {
        [VectorType] public float[] Pixels { get; set; } = new float[12];
        [VectorType(20)] public float[] Label { get; set; } = new float[20];
    }

    [Fact]
    public void An_image_of_unknown_size_is_rejected_where_a_fixed_size_is_needed()
    {
        var ml = new MLContext();
        var data = ml.Data.LoadFromEnumerable(new[] { new VariablePixels() });
        var e = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer().Fit(data));
        Assert.Contains("Schema mismatch for input column 'Pixels'", e.Message);
        Assert.Contains("unknown size", e.Message);
    }

    /// <summary>The stride-4 map side of the 96 x 96 images.</summary>
    private const int M = 24;

    private sealed class VocMaskRow
    {
        public string ImagePath { get; set; } = "";
        [VectorType(20)] public float[] Label { get; set; } = Array.Empty<float>();
        [VectorType(M * M)] public byte[] GroundTruth { get; set; } = Array.Empty<byte>();
    }

    [Fact]
    public void Evaluated_metrics_on_real_images_equal_the_engine_on_the_same_maps()
    {
        var labels = VocDev.Labels();
        var rows = VocDev.Names(16).Select(n =>
        {
            var (mask, h, w) = VocPalette.DecodeMaskPng(Path.Combine(VocDev.Root, "SegmentationClass", n + ".png"));
            return new VocMaskRow { ImagePath = VocDev.Jpeg(n), Label = labels[n], GroundTruth = LabelMasks.ResizeNearest(mask, h, w, M, M) };
        }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = VocRow.ImagePipeline(ml, 96)
            .Append(ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 10 }, Device = "cpu", ClassNames = VocDev.ClassNames }))
            .Append(ml.LpCam().SeedMasks(mapsColumnName: "Cam", threshold: 0.2f))
            .Fit(data);
        var scored = ml.Data.Cache(model.Transform(data), "Cam", "Label", "GroundTruth", "SeedMask");

        // The maps and seeds are at stride 4 of the 96 x 96 images, and so is the ground truth here; class names come from the scores.
        var metrics = ml.LpCam().Evaluate(scored);
        var sweep = ml.LpCam().SweepThresholds(scored, ["Cam"])["Cam"];

        // The engine on the same maps, labels and masks.
        var cams = scored.GetColumn<VBuffer<float>>("Cam").Select(v => v.DenseValues().ToArray()).ToList();
        var matrix = new ConfusionMatrix(21);
        var engineSweep = new ThresholdSweep(21);
        for (int i = 0; i < rows.Count; i++)
        {
            var classes = rows[i].Label.Select((v, c) => (v, c)).Where(p => p.v == 1).Select(p => p.c).ToList();
            var selected = classes.SelectMany(c => cams[i].Skip(c * M * M).Take(M * M)).ToArray();
            var seed = SeedMasks.FromMaps(selected, M, M, classes.Select(c => c + 1).ToList(), 0.2f);
            matrix.Add(seed, rows[i].GroundTruth);
            engineSweep.Add(selected, M, M, classes.Select(c => c + 1).ToList(), rows[i].GroundTruth);
        }
        var expected = SegmentationMetrics.From(matrix);
        Assert.Equal(expected.MeanIoU, metrics.MeanIoU, 10);
        Assert.Equal(expected.FalsePositive, metrics.FalsePositive, 10);
        Assert.Equal(expected.FalseNegative, metrics.FalseNegative, 10);
        Assert.Equal(expected.Precision, metrics.Precision, 10);
        Assert.Equal(expected.Recall, metrics.Recall, 10);
        Assert.Equal("dog", metrics.Classes[12].Name);
        var expectedSweep = engineSweep.Summarize();
        Assert.Equal(expectedSweep.MeanIoU, sweep.MeanIoU);
        Assert.Equal(expectedSweep.BestThreshold, sweep.BestThreshold);
        Assert.True(metrics.MeanIoU > 0.1, $"mIoU {metrics.MeanIoU} on real images is implausibly low");
    }
}
