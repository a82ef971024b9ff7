using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Tests.Components;
using Microsoft.ML;
using Microsoft.ML.Data;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.FineTuning;
using LpCam.MLNet.Images;
using LpCam.MLNet.Onnx;
using LpCam.MLNet.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.FineTuning;

/// <summary>The TorchSharp ResNet-18, its fine-tuning and the write-back into ONNX.</summary>
public class FineTuningTests(ITestOutputHelper output)
{
    private static float[] Data(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    private static float MaxAbs(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }

    [Theory]
    [InlineData(32)]
    [InlineData(16)]
    public void TorchSharp_ResNet18_equals_the_onnx_backbone_on_real_images(int stride)
    {
        var model = ResNet18Rewriter.Rewrite(stride);
        using var onnx = new OnnxBackbone(model);
        using var net = ResNet18.FromOnnx(model);
        Assert.Equal(stride, net.OutputStride);

        // Every convolution and BatchNorm tensor comes from an initializer: 22 convolutions (layer4 of the CNTK export has
        // 3 blocks), 22 BatchNorms x 4.
        var map = OnnxWeightMap.Build(OnnxGraphEdits.Parse(model.BytesArray).Graph, stride);
        Assert.Equal(110, map.Entries.Count);
        var names = net.state_dict().Keys.Where(k => !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToHashSet();
        Assert.True(names.SetEquals(map.Entries.Select(e => e.Tensor)), string.Join(", ", names.Except(map.Entries.Select(e => e.Tensor))));

        foreach (var name in VocDev.Names(2))
        {
            var image = RgbImage.Load(VocDev.Jpeg(name)).ResizeLongSide(333); // not a multiple of 32: padded and cropped
            var expected = onnx.Extract(image, out int h, out int w);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var actual = net.Features([image]);
            Assert.Equal(new long[] { 1, 512, h, w }, actual.shape);
            float diff = MaxAbs(Data(actual), expected), peak = expected.Max();
            output.WriteLine($"stride {stride}, {name} {image.Height}x{image.Width}: max |torch - onnx| {diff:E2} (feature max {peak:F2})");
            Assert.True(diff < 1e-3f, $"{name}: max |diff| {diff}");
        }
    }

    [Fact]
    public void A_few_steps_lower_the_loss_of_a_fixed_batch_and_keep_the_stem_frozen()
    {
        var names = VocDev.Names(16);
        var labels = VocDev.Labels();
        var images = names.Select(n => RgbImage.Load(VocDev.Jpeg(n))).ToList();
        var targets = names.Select(n => labels[n]).ToList();
        var options = new FineTuningOptions
        {
            BatchSize = 4, Epochs = 2, MaxSteps = 6, CropSize = 128, MinLongSide = 128, MaxLongSide = 192,
            BackboneLearningRate = 0.01, HeadLearningRate = 0.1, Seed = 5, OutputStride = 32, Device = "cpu",
        };
        // Stride 32 keeps this test fast on a CPU (the dilated stride-16 layer4 is several times slower to back-propagate);
        // the stride-16 layout is trained by the FineTuneOnImages test and checked by the equality and write-back tests.
        using var tuner = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, options);
        var fixedImages = images.Take(4).Select(i => i.Resize(128, 128)).ToList();
        var fixedTargets = targets.Take(4).ToList();

        float[] stemBefore = Data(tuner.Network.state_dict()["conv1.weight"]);
        float[] meanBefore = Data(tuner.Network.state_dict()["layer3.1.bn2.running_mean"]);
        float[] layerBefore = Data(tuner.Network.state_dict()["layer4.1.conv2.weight"]);
        double before = tuner.Loss(fixedImages, fixedTargets);
        var steps = tuner.Train(images.Count, i => images[i], i => targets[i], s => output.WriteLine(
            $"step {s.Step} epoch {s.Epoch}: loss {s.Loss:F4}, lr {s.BackboneLearningRate:F4}/{s.HeadLearningRate:F4}, {s.Seconds:F2} s"));
        double after = tuner.Loss(fixedImages, fixedTargets);
        output.WriteLine($"fixed batch loss: before {before:F4}, after {after:F4}");

        Assert.Equal(6, steps.Count);
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 1 }, steps.Select(s => s.Epoch));
        Assert.True(steps.All(s => double.IsFinite(s.Loss)));
        Assert.True(steps[^1].BackboneLearningRate < steps[0].BackboneLearningRate);
        Assert.True(after < before - 0.01, $"loss {before} -> {after}");
        Assert.Equal(stemBefore, Data(tuner.Network.state_dict()["conv1.weight"]));
        Assert.Equal(meanBefore, Data(tuner.Network.state_dict()["layer3.1.bn2.running_mean"]));
        Assert.NotEqual(layerBefore, Data(tuner.Network.state_dict()["layer4.1.conv2.weight"]));
    }

    [Fact]
    public void Written_back_onnx_runs_the_modified_network()
    {
        var template = ResNet18Rewriter.Rewrite(16);
        using var net = ResNet18.FromOnnx(template);
        manual_seed(11);
        using (no_grad())
            foreach (var (name, t) in net.state_dict())
                if (t.is_floating_point() && !name.EndsWith("running_var", StringComparison.Ordinal))
                    t.add_(randn_like(t).mul_(0.005));
        var head = new LpCam.MLNet.Engine.Classifier.ClassifierHead(2, 512, new float[1024]);
        var written = OnnxWriteBack.Write(net, template, head);
        Assert.Same(head, written.Head);
        Assert.Equal("resnet18-os16-finetuned", written.Name);

        var image = RgbImage.Load(VocDev.Jpeg(VocDev.Names(1)[0])).ResizeLongSide(256);
        using var onnx = new OnnxBackbone(written);
        using var pretrained = new OnnxBackbone(template);
        var expected = onnx.Extract(image, out _, out _);
        float changed = MaxAbs(pretrained.Extract(image, out _, out _), expected);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        float diff = MaxAbs(Data(net.Features([image])), expected), peak = expected.Max();
        output.WriteLine($"written-back ONNX vs module: max |diff| {diff:E2} (feature max {peak:F2}); vs the pretrained ONNX: {changed:F3}");
        Assert.True(diff < 1e-3f + 2e-5f * peak, $"max |diff| {diff}, feature max {peak}");
        Assert.True(changed > 0.1f, "the written-back model did not change");

        // Loading the written-back model gives the same module again.
        using var reloaded = ResNet18.FromOnnx(written);
        Assert.Equal(Data(net.state_dict()["layer2.0.downsample.1.weight"]), Data(reloaded.state_dict()["layer2.0.downsample.1.weight"]));
    }

    [Fact]
    public void FineTuneOnImages_returns_a_runnable_onnx_model_with_the_head_and_the_losses()
    {
        var names = VocDev.Names(4);
        var labels = VocDev.Labels();
        var result = FineTuner.FineTuneOnImages(names.Select(VocDev.Jpeg).ToList(), names.Select(n => labels[n]).ToList(), new FineTuningOptions
        {
            BatchSize = 2, Epochs = 1, CropSize = 64, MinLongSide = 64, MaxLongSide = 96, OutputStride = 16,
            BackboneLearningRate = 0.001, HeadLearningRate = 0.01, Device = "cpu",
        });
        Assert.Equal(2, result.Steps.Count);
        Assert.Single(result.EpochLosses);
        Assert.Equal(20, result.Head.ClassCount);
        Assert.Same(result.Head, result.Model.Head);
        using var backbone = new OnnxBackbone(result.Model);
        var f = backbone.Extract(RgbImage.Load(VocDev.Jpeg(names[0])).ResizeLongSide(96), out int h, out int w);
        Assert.Equal(512 * h * w, f.Length);
        Assert.True(f.All(float.IsFinite));

        // The fine-tuned network is CamFeaturizer's backbone (two scales + flip, images of their own size on a 96 x 128
        // canvas); asking for GPU 0 falls back to the CPU where CUDA cannot be loaded.
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = true };
        var rows = names.Take(2).Select(n => new VocSizedRow(n)).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var scored = VocSizedRow.CanvasPipeline(ml, 96, 128)
            .Append(ml.LpCam().CamFeaturizer(new() { Backbone = result.Model, Scales = [1.0, 0.5], ImageSizeColumnName = "ImageSize", Device = "cpu", Head = new() { Epochs = 2 } }))
            .Fit(data).Transform(data);
        var cam = scored.GetColumn<VBuffer<float>>("Cam").First().DenseValues().ToArray();
        var (h4, w4) = InferenceScales.Stride4Size((int)rows[0].ImageSize[0], (int)rows[0].ImageSize[1]);
        Assert.Equal(20 * h4 * w4, cam.Length);
        Assert.True(cam.All(v => v >= 0 && v <= 1));
        Assert.Equal(20, scored.GetColumn<VBuffer<float>>("Scores").First().Length);
    }

    [Fact]
    public void Options_and_inputs_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuningOptions { CropSize = 100 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuningOptions { MinLongSide = 400, MaxLongSide = 300 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuningOptions { OutputStride = 8 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuningOptions { HeadLearningRate = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => FineTuner.FineTuneOnImages(["a.jpg"], [new float[2], new float[2]]));
        Assert.Throws<ArgumentException>(() => FineTuner.FineTuneOnImages(["a.jpg", "b.jpg"], [new float[2], new float[3]]));
        var ex = Assert.Throws<ArgumentException>(() => new FineTuner(ResNet18Rewriter.Rewrite(32), 3, new FineTuningOptions { OutputStride = 16 }));
        Assert.Contains("stride", ex.Message);
    }
}
