using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Images;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Components;

public class CamFeaturizerTests
{
    private static float[] Column(IDataView view, string name, int row) =>
        view.GetColumn<VBuffer<float>>(name).Skip(row).First().DenseValues().ToArray();

    [Fact]
    public void Fit_on_real_images_gives_features_scores_and_cams_equal_to_the_engine()
    {
        var ml = new MLContext(seed: 1);
        var rows = VocRow.Slice(24);
        var data = ml.Data.LoadFromEnumerable(rows);
        var featurizer = ml.LpCam().CamFeaturizer(new()
        {
            Head = new MultiLabelHeadOptions { Epochs = 20 },
            ClassNames = Support.VocDev.ClassNames,
            Device = "cpu",
        });
        var model = VocRow.ImagePipeline(ml, 224).Append(featurizer).Fit(data);
        var output = model.Transform(data);

        var schema = output.Schema;
        Assert.Equal(new[] { 1, 512, 7, 7 }, ((VectorDataViewType)schema["Features"].Type).Dimensions.ToArray());
        Assert.Equal(new[] { 1, 20 }, ((VectorDataViewType)schema["Scores"].Type).Dimensions.ToArray());
        Assert.Equal(new[] { 1, 20, 224, 224 }, ((VectorDataViewType)schema["Cam"].Type).Dimensions.ToArray());

        var fitted = model.LastTransformer;
        Assert.Equal(20, fitted.Head.ClassCount);
        Assert.Equal(512, fitted.Head.FeatureDim);
        Assert.True(fitted.Training.EpochLosses[^1] < fitted.Training.EpochLosses[0]);

        // The graph's features equal the backbone run by the engine on the same pixels; its CAM equals the engine's CAM.
        var pixels = Column(output, "Pixels", 2);
        using var backbone = Backbone.ResNet18();
        var expectedFeatures = backbone.Extract(new RgbImage(224, 224, pixels), out int h, out int w);
        var features = Column(output, "Features", 2);
        Assert.Equal(expectedFeatures.Length, features.Length);
        Assert.True(features.Zip(expectedFeatures, (a, b) => Math.Abs(a - b)).Max() < 1e-3f);

        using var cam = ClassActivationMap.FromWeights(fitted.Head.Weights, 20, 512);
        using var f = tensor(features, new long[] { 1, 512, h, w });
        using var expectedCam = cam.Compute(new[] { new ScaleFeatures(f) }, 224, 224);
        var actualCam = Column(output, "Cam", 2);
        Assert.True(actualCam.Zip(expectedCam.data<float>().ToArray(), (a, b) => Math.Abs(a - b)).Max() < 1e-4f);

        var scores = Column(output, "Scores", 2);
        var pooled = Enumerable.Range(0, 512).Select(d => features.Skip(d * h * w).Take(h * w).Average()).ToArray();
        var expectedScores = fitted.Head.Scores(pooled);
        Assert.True(scores.Zip(expectedScores, (a, b) => Math.Abs(a - b)).Max() < 1e-4f);
    }

    [Fact]
    public void Fit_writes_its_progress_to_the_context_log_and_to_the_options_callback()
    {
        var ml = new MLContext(seed: 1);
        var logged = new List<(string Source, ChannelMessageKind Kind, string Message)>();
        ml.Log += (_, e) => { lock (logged) logged.Add((e.Source, e.Kind, e.RawMessage)); };
        var callback = new List<string>();
        var data = ml.Data.LoadFromEnumerable(VocRow.Slice(6));
        VocRow.ImagePipeline(ml, 64)
            .Append(ml.LpCam().CamFeaturizer(new() { Head = new MultiLabelHeadOptions { Epochs = 2 }, Device = "cpu", Log = callback.Add }))
            .Fit(data);

        var info = logged.Where(l => l.Source.StartsWith("LpCam.CamFeaturizer", StringComparison.Ordinal) && l.Kind == ChannelMessageKind.Info)
            .Select(l => l.Message).ToList();
        Assert.Contains(info, m => m.StartsWith("CamFeaturizer: training the head on 6 images", StringComparison.Ordinal));
        Assert.Contains(info, m => m.StartsWith("CamFeaturizer: loss ", StringComparison.Ordinal));
        Assert.Equal(callback, info); // the same lines reach both
    }

    [Fact]
    public void Schema_errors_name_the_column_and_what_was_expected()
    {
        var ml = new MLContext(seed: 1);
        var rows = VocRow.Slice(2);
        var data = ml.Data.LoadFromEnumerable(rows);

        var missing = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(pixelsColumnName: "NoSuchColumn").Fit(data));
        Assert.True(missing.Message.Contains("Could not find input column 'NoSuchColumn'"), missing.Message);

        var odd = VocRow.ImagePipeline(ml, 200).Fit(data).Transform(data);
        var size = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer().Fit(odd));
        Assert.Contains("Schema mismatch for input column 'Pixels'", size.Message);
        Assert.Contains("multiples of 32", size.Message);
        Assert.Contains("200 x 200", size.Message);

        var good = VocRow.ImagePipeline(ml, 64).Fit(data).Transform(data);
        var wrongLabel = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(labelColumnName: "ImagePath").Fit(good));
        Assert.Contains("Schema mismatch for input column 'ImagePath'", wrongLabel.Message);
        Assert.Contains("got String", wrongLabel.Message);
    }

    [Fact]
    public void Options_are_checked_at_construction()
    {
        var ml = new MLContext();
        Assert.Contains("OutputStride", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(new() { OutputStride = 8 })).Message);
        Assert.Contains("PixelsColumnName", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(new() { PixelsColumnName = "" })).Message);
        Assert.Contains("unknown-device", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(new() { Device = "unknown-device" })).Message);
    }
}

public class CamFeaturizerBackboneTests
{
    [Fact]
    public void Any_onnx_backbone_with_its_pixel_normalisation_gives_the_default_backbones_features()
    {
        // The package's original ResNet-18 ONNX as a "foreign" model: BGR minus channel means must be folded into the
        // composed graph (Gather + Sub + Div) so that it sees what the default (rewritten) backbone sees.
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(VocRow.Slice(6));
        using var foreign = Backbone.FromOnnx(PretrainedModels.ResNet18OnnxPath, new OnnxBackboneOptions("ReLU393_Output_0")
        {
            Normalization = PixelNormalization.BgrMinusMean(ResNet18Rewriter.ChannelMeansBgr()),
        });
        var head = new MultiLabelHeadOptions { Epochs = 2 };
        var images = VocRow.ImagePipeline(ml, 64);
        var viaForeign = images.Append(ml.LpCam().CamFeaturizer(new() { Backbone = foreign.Model, Head = head, Device = "cpu" })).Fit(data).Transform(data);
        var viaDefault = images.Append(ml.LpCam().CamFeaturizer(new() { Head = head, Device = "cpu" })).Fit(data).Transform(data);
        var a = viaForeign.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();
        var b = viaDefault.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();
        Assert.Equal(6, a.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(b[i].Length, a[i].Length);
            Assert.True(a[i].Zip(b[i], (x, y) => Math.Abs(x - y)).Max() < 1e-3f);
        }
    }
}
