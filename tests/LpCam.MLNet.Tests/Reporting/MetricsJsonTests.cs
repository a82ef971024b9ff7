using System.Text.Json.Nodes;
using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Reporting;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Reporting;

public sealed class MetricsJsonTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Chosen_threshold_scores_come_from_the_hand_made_matrix()
    {
        var matrix = new ConfusionMatrix(4);
        matrix.Add(new byte[] { 0, 0, 0, 1, 1, 1, 1, 0, 2, 0 }, ReportFixtures.GroundTruth);
        var fromMatrix = MethodMetrics.From(SegmentationMetrics.From(matrix, ReportFixtures.Names), 0.3, ReportFixtures.Sweep());
        var fromSweep = ReportFixtures.Document().Cam;

        foreach (var s in new[] { fromMatrix.Chosen, fromSweep.Chosen })
        {
            Assert.Equal(0.3, s.Threshold);
            Assert.Equal(1.6 / 3, s.MeanIoU, 12);
            Assert.Equal(0.1, s.FalsePositive, 12);
            Assert.Equal(0.35, s.FalseNegative, 12);
            Assert.Equal(0.875, s.Precision, 12);
            Assert.Equal(0.625, s.Recall, 12);
            Assert.Equal(new[] { "background", "cat", "<dog>", "<tv>" }, s.Classes.Select(c => c.Name));
            Assert.Equal(0.6, s.Classes[1].IoU, 12);
            Assert.True(double.IsNaN(s.Classes[3].IoU));
        }
        Assert.Equal(0.1, fromSweep.Best.Threshold);
        Assert.Equal(0.85, fromSweep.Best.MeanIoU, 12);
        Assert.Equal(new[] { 0.1, 0.3, 0.5 }, fromSweep.Sweep.Select(p => p.Threshold));
    }

    [Fact]
    public void Document_round_trips_and_passes_the_validator()
    {
        var doc = ReportFixtures.Document();
        string path = _folder.File("metrics.json");
        MetricsJson.Write(path, doc);
        string json = File.ReadAllText(path);

        Assert.Empty(MetricsJson.Validate(json));
        var back = MetricsJson.Read(path);
        Assert.Equal(json, MetricsJson.Serialize(back));
        Assert.Equal(1, back.Images);
        Assert.Equal(0.8, back.ClassifierMeanAveragePrecision);
        Assert.Equal(doc.LpCam.Chosen.MeanIoU, back.LpCam.Chosen.MeanIoU);
        Assert.Equal(doc.LpCam.Best.Threshold, back.LpCam.Best.Threshold);
        Assert.Equal(doc.Cam.Sweep, back.Cam.Sweep);
        Assert.True(double.IsNaN(back.Cam.Best.Classes[3].IoU));
        Assert.Empty(Directory.GetFiles(_folder.Path, "*.tmp-*"));
    }

    [Fact]
    public void Schema_has_the_documented_keys_and_thresholds_are_short_decimals()
    {
        var root = JsonNode.Parse(MetricsJson.Serialize(ReportFixtures.Document()))!.AsObject();
        Assert.Equal(new[] { "images", "classifier", "methods" }, root.Select(p => p.Key));
        Assert.Equal(new[] { "cam", "lpcam_f", "lpcam" }, root["methods"]!.AsObject().Select(p => p.Key));
        var cam = root["methods"]!["cam"]!.AsObject();
        Assert.Equal(new[] { "threshold", "mIoU", "FP", "FN", "precision", "recall", "iou", "sweep", "best" }, cam.Select(p => p.Key));
        Assert.Equal(new[] { "threshold", "mIoU", "FP", "FN", "precision", "recall", "iou" }, cam["best"]!.AsObject().Select(p => p.Key));
        Assert.Equal("0.1", cam["sweep"]![0]!["threshold"]!.ToJsonString());
        Assert.Equal("0.3", cam["threshold"]!.ToJsonString());
        Assert.Equal(0.6, (double)cam["iou"]!["cat"]!, 12);
    }

    [Fact]
    public void NaN_is_written_as_null()
    {
        var json = MetricsJson.Serialize(ReportFixtures.Document(classifierMap: double.NaN));
        var root = JsonNode.Parse(json)!;
        Assert.Null(root["classifier"]!["mAP"]);
        Assert.True(root["classifier"]!.AsObject().ContainsKey("mAP"));
        Assert.True(root["methods"]!["lpcam"]!["iou"]!.AsObject().ContainsKey("<tv>"));
        Assert.Null(root["methods"]!["lpcam"]!["iou"]!["<tv>"]);
        Assert.Null(root["methods"]!["lpcam"]!["best"]!["iou"]!["<tv>"]);
        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
        Assert.Empty(MetricsJson.Validate(json));
        Assert.True(double.IsNaN(MetricsJson.Parse(json).ClassifierMeanAveragePrecision));
    }

    private static JsonNode Valid() => JsonNode.Parse(MetricsJson.Serialize(ReportFixtures.Document()))!;

    [Fact]
    public void Validator_catches_a_missing_key()
    {
        var node = Valid();
        node["methods"]!["lpcam"]!["best"]!.AsObject().Remove("recall");
        node["methods"]!.AsObject().Remove("lpcam_f");
        var problems = MetricsJson.Validate(node.ToJsonString());
        Assert.Contains(problems, p => p.Contains("$.methods.lpcam.best lacks the key \"recall\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("$.methods lacks the key \"lpcam_f\"", StringComparison.Ordinal));
        Assert.Throws<InvalidDataException>(() => MetricsJson.Parse(node.ToJsonString()));
    }

    [Fact]
    public void Validator_catches_out_of_range_values_and_wrong_types()
    {
        var node = Valid();
        node["methods"]!["cam"]!["mIoU"] = 53.3; // a percentage
        node["methods"]!["cam"]!["iou"]!["cat"] = -0.1;
        node["classifier"]!["mAP"] = "high";
        node["images"] = -1;
        var problems = MetricsJson.Validate(node.ToJsonString());
        Assert.Contains(problems, p => p.StartsWith("$.methods.cam.mIoU is 53.3; expected a fraction in [0, 1]", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.methods.cam.iou[\"cat\"] is -0.1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.classifier.mAP is the string \"high\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.images is -1", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_catches_an_unsorted_sweep_and_a_wrong_best()
    {
        var node = Valid();
        var sweep = node["methods"]!["lpcam_f"]!["sweep"]!.AsArray();
        var first = sweep[0]!.DeepClone();
        sweep[0] = sweep[1]!.DeepClone();
        sweep[1] = first;
        node["methods"]!["cam"]!["best"]!["threshold"] = 0.5;
        var problems = MetricsJson.Validate(node.ToJsonString());
        Assert.Contains(problems, p => p.StartsWith("$.methods.lpcam_f.sweep[1].threshold 0.1 does not follow 0.3", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("$.methods.cam.best.mIoU 0.85 differs from the sweep's", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_reports_unexpected_keys_and_bad_json()
    {
        var node = Valid();
        node["extra"] = 1;
        Assert.Contains("$ has the unexpected key \"extra\"", MetricsJson.Validate(node.ToJsonString()));
        Assert.StartsWith("not valid JSON", Assert.Single(MetricsJson.Validate("{\"images\": ")), StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_class_names_are_refused()
    {
        var doc = ReportFixtures.Document();
        var chosen = doc.Cam.Chosen with { Classes = new[] { new ClassIoU("a", 0.5), new ClassIoU("a", 0.5) } };
        var bad = doc with { Cam = doc.Cam with { Chosen = chosen } };
        Assert.Throws<ArgumentException>(() => MetricsJson.Serialize(bad));
    }

    [Fact]
    public void A_threshold_missing_from_the_sweep_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => MethodMetrics.From(ReportFixtures.Sweep(), 0.25f));
        Assert.Equal("threshold", e.ParamName);
    }
}
