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
    public void Images_of_their_own_size_give_multi_scale_flip_cams_equal_to_the_engine()
    {
        var ml = new MLContext(seed: 1);
        var rows = VocSizedRow.Slice(24);
        var data = ml.Data.LoadFromEnumerable(rows);
        var featurizer = ml.LpCam().CamFeaturizer(new()
        {
            Head = new MultiLabelHeadOptions { Epochs = 20 },
            ClassNames = Support.VocDev.ClassNames,
            ImageSizeColumnName = "ImageSize",
            Scales = [1.0, 0.5],
            Flip = true,
            Device = "cpu",
        });
        const int Canvas = 224;
        var model = VocSizedRow.CanvasPipeline(ml, Canvas, Canvas).Append(featurizer).Fit(data);
        var output = model.Transform(data);
        var fitted = model.LastTransformer;
        Assert.Equal(20, fitted.Head.ClassCount);
        Assert.Equal(512, fitted.Head.FeatureDim);
        Assert.True(fitted.Training.EpochLosses[^1] < fitted.Training.EpochLosses[0]);

        // Column shapes: known sizes for the scores and the sizes; the features and maps vary with the image.
        var schema = output.Schema;
        Assert.Equal(new[] { 1, 20 }, ((VectorDataViewType)schema["Scores"].Type).Dimensions.ToArray());
        Assert.Equal(new[] { 1, 4 }, ((VectorDataViewType)schema["FeatureSize"].Type).Dimensions.ToArray());
        Assert.Equal(new[] { 1, 2 }, ((VectorDataViewType)schema["MapSize"].Type).Dimensions.ToArray());
        Assert.False(((VectorDataViewType)schema["Cam"].Type).IsKnownSize);
        Assert.False(((VectorDataViewType)schema["Features"].Type).IsKnownSize);
        VBuffer<ReadOnlyMemory<char>> slots = default;
        schema["Scores"].GetSlotNames(ref slots);
        Assert.Equal(Support.VocDev.ClassNames, slots.DenseValues().Select(n => n.ToString()));

        using var backbone = Backbone.ResNet18();
        foreach (int row in new[] { 0, 2 })
        {
            // The image cut out of its canvas, as the engine would be given it, then each scale made by bilinear resizing.
            var size = rows[row].ImageSize;
            var (top, left, ch, cw) = ImageCanvas.ContentBox((int)size[0], (int)size[1], Canvas, Canvas);
            var canvas = Column(output, "Pixels", row);
            var content = new float[3 * ch * cw];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < ch; y++)
                    Array.Copy(canvas, (c * Canvas + top + y) * Canvas + left, content, (c * ch + y) * cw, cw);
            var image = new RgbImage(ch, cw, content);
            var half = InferenceScales.ScaledSize(ch, cw, 0.5);
            using var halfPixels = nn.functional.interpolate(tensor(content, new long[] { 1, 3, ch, cw }), new long[] { half.Height, half.Width },
                mode: InterpolationMode.Bilinear, align_corners: false);
            var halfImage = new RgbImage(half.Height, half.Width, halfPixels.data<float>().ToArray());
            var expected = new List<ScaleFeatures>();
            foreach (var scaled in new[] { image, halfImage })
            {
                var pair = backbone.ExtractBatch([scaled, scaled.FlipHorizontal()], out int h, out int w);
                expected.Add(new ScaleFeatures(tensor(pair[0], new long[] { 1, 512, h, w }), tensor(pair[1], new long[] { 1, 512, h, w })));
            }

            var blocks = PackedFeatures.InferenceScales(Column(output, "Features", row), Column(output, "FeatureSize", row), fitted.Layout, 512);
            for (int s = 0; s < 2; s++)
            {
                Assert.True(MaxDifference(blocks[s].Features, expected[s].Features) < 1e-3f, $"row {row} scale {s}: features differ");
                Assert.True(MaxDifference(blocks[s].FlippedFeatures!, expected[s].FlippedFeatures!) < 1e-3f, $"row {row} scale {s}: mirror features differ");
            }

            var (h4, w4) = InferenceScales.Stride4Size((int)size[0], (int)size[1]);
            Assert.Equal(new float[] { h4, w4 }, Column(output, "MapSize", row));
            using var cam = ClassActivationMap.FromWeights(fitted.Head.Weights, 20, 512);
            using var expectedCam = cam.Compute(expected, h4, w4);
            var actualCam = Column(output, "Cam", row);
            Assert.Equal(20 * h4 * w4, actualCam.Length);
            Assert.True(actualCam.Zip(expectedCam.data<float>().ToArray(), (a, b) => Math.Abs(a - b)).Max() < 1e-3f, $"row {row}: CAM differs from the engine's");

            var f0 = expected[0].Features.data<float>().ToArray();
            int cells = f0.Length / 512;
            var pooled = Enumerable.Range(0, 512).Select(d => f0.Skip(d * cells).Take(cells).Average()).ToArray();
            var scores = Column(output, "Scores", row);
            Assert.True(scores.Zip(fitted.Head.Scores(pooled), (a, b) => Math.Abs(a - b)).Max() < 1e-4f);
        }
    }

    private static float MaxDifference(Tensor a, Tensor b)
    {
        Assert.Equal(a.shape, b.shape);
        return a.sub(b).abs().max().item<float>();
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

        var good = VocRow.ImagePipeline(ml, 64).Fit(data).Transform(data);
        var noSize = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(imageSizeColumnName: "ImageSize").Fit(good));
        Assert.Contains("Could not find input column 'ImageSize'", noSize.Message);
        var wrongSize = Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(imageSizeColumnName: "Label").Fit(good));
        Assert.Contains("Schema mismatch for input column 'Label'", wrongSize.Message);
        Assert.Contains("2 Single", wrongSize.Message);

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
        Assert.Contains("MapStride", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(new() { MapStride = 2 })).Message);
        Assert.Contains("repeats", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(new() { Scales = [1.0, 1.0] })).Message);
        Assert.Contains("at most 4", Assert.ThrowsAny<ArgumentException>(() => ml.LpCam().CamFeaturizer(new() { Scales = [1.0, 8.0] })).Message);
    }

    [Fact]
    public void Full_resolution_maps_on_request_have_the_image_size_and_the_same_scores()
    {
        var ml = new MLContext(seed: 1);
        var rows = VocSizedRow.Slice(6);
        var data = ml.Data.LoadFromEnumerable(rows);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.LpCam().CamFeaturizer(new() { MapStride = 0 }));
        IDataView Scored(int stride) => VocSizedRow.CanvasPipeline(ml, 96, 96)
            .Append(ml.LpCam().CamFeaturizer(new() { ImageSizeColumnName = "ImageSize", MapStride = stride, Device = "cpu", Head = new() { Epochs = 3 } }))
            .Fit(data).Transform(data);
        var full = Scored(1);
        var (h, w) = ((int)rows[1].ImageSize[0], (int)rows[1].ImageSize[1]);
        Assert.Equal(new float[] { h, w }, Column(full, "MapSize", 1));
        var cam = Column(full, "Cam", 1);
        Assert.Equal(20 * h * w, cam.Length);
        Assert.All(cam, v => Assert.InRange(v, 0f, 1f));
        // The same head and features: the scores do not depend on the map stride.
        Assert.Equal(Column(Scored(4), "Scores", 1), Column(full, "Scores", 1));
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
