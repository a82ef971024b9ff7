using LpCam.MLNet.Backbones;
using LpCam.MLNet.FineTuning;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using Xunit.Abstractions;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.FineTuning;

/// <summary>The torchvision-layout ResNet-50 and its state_dict loading through TorchSharp.PyBridge.</summary>
public class ResNet50Tests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lpcam-resnet50-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ResNet RandomNet(int stride)
    {
        manual_seed(7);
        var net = ResNet50.Create(stride);
        using (no_grad())
            foreach (var (name, buffer) in net.named_buffers())
            {
                // Non-trivial running statistics, so that the test sees the buffers loaded too.
                if (name.EndsWith("running_mean")) buffer.copy_(randn(buffer.shape).mul_(0.1));
                else if (name.EndsWith("running_var")) buffer.copy_(rand(buffer.shape).add_(0.5));
            }
        net.eval();
        return net;
    }

    private static float[] Run(ResNet net, Tensor input, out long[] shape)
    {
        using var _ = no_grad();
        using var y = net.forward(input);
        shape = y.shape;
        return y.contiguous().data<float>().ToArray();
    }

    [Fact]
    public void State_dict_round_trip_through_pytorch_and_safetensors_files_gives_the_same_network()
    {
        using var scope = NewDisposeScope();
        using var source = RandomNet(16);
        Assert.Contains("layer1.0.downsample.0.weight", source.state_dict().Keys);
        Assert.Contains("layer4.2.bn3.running_var", source.state_dict().Keys);
        Assert.Contains("bn1.running_mean", source.state_dict().Keys);
        string pt = Path.Combine(_dir, "resnet50.pt"), st = Path.Combine(_dir, "resnet50.safetensors");
        source.save_py(pt);
        source.save_safetensors(st);

        manual_seed(1);
        var input = randn(1, 3, 64, 96);
        var expected = Run(source, input, out var shape16);
        Assert.Equal(new long[] { 1, 2048, 4, 6 }, shape16);
        Assert.All(expected, v => Assert.True(float.IsFinite(v)));

        foreach (var file in new[] { pt, st })
        {
            using var loaded = ResNet50.FromStateDict(file);
            Assert.Equal(16, loaded.OutputStride);
            var actual = Run(loaded, input, out var shape);
            Assert.Equal(shape16, shape);
            Assert.Equal(expected, actual); // bit-identical weights, same computation
        }

        using var os32 = ResNet50.FromStateDict(pt, outputStride: 32);
        Run(os32, input, out var shape32);
        Assert.Equal(new long[] { 1, 2048, 2, 3 }, shape32);
    }

    [Fact]
    public void A_file_with_missing_or_foreign_keys_is_refused_with_the_keys_named()
    {
        using var scope = NewDisposeScope();
        using var net = ResNet50.Create(32);
        string missing = Path.Combine(_dir, "missing.pt");
        net.save_py(missing, skip: ["layer1.0.conv1.weight", "layer3.5.bn2.running_mean"]);
        var e = Assert.Throws<InvalidDataException>(() => ResNet50.FromStateDict(missing));
        Assert.Contains("2 missing key(s)", e.Message);
        Assert.Contains("layer1.0.conv1.weight", e.Message);
        Assert.Contains("layer3.5.bn2.running_mean", e.Message);

        string foreign = Path.Combine(_dir, "foreign.pt");
        using (var other = nn.Sequential(("conv1", nn.Conv2d(3, 64, 7, bias: false)), ("fc", nn.Linear(4, 2)), ("head", nn.Linear(4, 2))))
            other.save_py(foreign);
        var f = Assert.Throws<InvalidDataException>(() => ResNet50.FromStateDict(foreign));
        Assert.Contains("unexpected key(s): head.bias, head.weight", f.Message); // fc.* is ignored, head.* is not
        Assert.Contains("missing key(s): bn1.weight", f.Message); // conv1.weight is there; the first 20 missing ones are named
        Assert.Contains("more)", f.Message);
        Assert.Throws<FileNotFoundException>(() => ResNet50.FromStateDict(Path.Combine(_dir, "none.pt")));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Exported_onnx_equals_the_module_on_a_random_image(int stride)
    {
        using var scope = NewDisposeScope();
        using var net = RandomNet(stride);
        var model = ResNet50Onnx.Export(net);
        Assert.Equal($"resnet50-os{stride}", model.Name);
        Assert.Equal(stride, model.Stride);
        Assert.Equal(2048, model.FeatureDim);
        Assert.Equal(32, model.PadMultiple);
        Assert.Same(LpCam.MLNet.Backbones.PixelNormalization.Identity, model.Normalization);

        var rng = new Random(3);
        var pixels = new float[3 * 64 * 96];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = rng.Next(256);
        var image = new LpCam.MLNet.Images.RgbImage(64, 96, pixels);
        using var backbone = new LpCam.MLNet.Backbones.OnnxBackbone(model);
        var actual = backbone.Extract(image, out int h, out int w);
        Assert.Equal((64 / stride, 96 / stride), (h, w));

        var norm = LpCam.MLNet.Backbones.PixelNormalization.ImageNet;
        var input = tensor(pixels, [1, 3, 64, 96])
            .sub(tensor(norm.Mean.ToArray(), [1, 3, 1, 1])).div(tensor(norm.Std.ToArray(), [1, 3, 1, 1]));
        var expected = Run(net, input, out var shape);
        Assert.Equal(new long[] { 1, 2048, h, w }, shape);
        float peak = expected.Max(Math.Abs), diff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"stride {stride}: max |diff| {diff:E2}, feature max {peak:F3}");
        Assert.True(diff <= 1e-3f * peak, $"max |diff| {diff}, feature max {peak}");

        // A saved file is recognised as an LpCam backbone.
        string path = Path.Combine(_dir, "r50.onnx");
        model.Save(path);
        var options = LpCam.MLNet.Backbones.ResNet18Rewriter.SavedModelOptions(path);
        Assert.NotNull(options);
        Assert.Equal(ResNet50Onnx.OutputName, options.FeatureTensorName);
        Assert.Equal(stride, options.Stride);
        Assert.Equal(32, options.PadMultiple);
        Assert.Equal(model.PadPixelRgb, options.PadPixelRgb);
    }

    [Fact]
    public void FineTuner_trains_a_ResNet50_with_the_recipe_and_exports_it_to_onnx()
    {
        using var scope = NewDisposeScope();
        var names = VocDev.Names(8);
        var labels = VocDev.Labels();
        var images = names.Select(n => RgbImage.Load(VocDev.Jpeg(n))).ToList();
        var targets = names.Select(n => labels[n]).ToList();
        var options = new FineTuningOptions
        {
            BatchSize = 2, Epochs = 1, MaxSteps = 4, CropSize = 64, MinLongSide = 64, MaxLongSide = 96,
            BackboneLearningRate = 0.01, HeadLearningRate = 0.1, Seed = 5, OutputStride = 32, Device = "cpu",
        };
        using var net = RandomNet(32);
        using var tuner = FineTuner.ForResNet50(net, 20, options);
        Assert.Same(net, tuner.Network);
        Assert.Null(tuner.Pretrained);
        Assert.Equal(2048, tuner.Head.FeatureDim);
        var fixedImages = images.Take(4).Select(i => i.Resize(64, 64)).ToList();
        var fixedTargets = targets.Take(4).ToList();

        float[] stemBefore = Data(net.state_dict()["conv1.weight"]);
        float[] stemBnBefore = Data(net.state_dict()["bn1.weight"]);
        float[] meanBefore = Data(net.state_dict()["layer3.1.bn2.running_mean"]);
        float[] layerBefore = Data(net.state_dict()["layer4.1.conv2.weight"]);
        double before = tuner.Loss(fixedImages, fixedTargets);
        var steps = tuner.Train(images.Count, i => images[i], i => targets[i], s => output.WriteLine(
            $"step {s.Step}: loss {s.Loss:F4}, lr {s.BackboneLearningRate:F4}/{s.HeadLearningRate:F4}, {s.Seconds:F2} s"));
        double after = tuner.Loss(fixedImages, fixedTargets);
        output.WriteLine($"fixed batch loss: before {before:F4}, after {after:F4}");

        Assert.Equal(4, steps.Count);
        Assert.True(steps.All(s => double.IsFinite(s.Loss)));
        Assert.True(after < before - 0.01, $"loss {before} -> {after}");
        Assert.Equal(stemBefore, Data(net.state_dict()["conv1.weight"]));
        Assert.Equal(stemBnBefore, Data(net.state_dict()["bn1.weight"]));
        Assert.Equal(meanBefore, Data(net.state_dict()["layer3.1.bn2.running_mean"]));
        Assert.NotEqual(layerBefore, Data(net.state_dict()["layer4.1.conv2.weight"]));

        var model = tuner.ToOnnx();
        Assert.Equal("resnet50-os32-finetuned", model.Name);
        Assert.NotNull(model.Head);
        Assert.Equal(tuner.Head.Weights, model.Head.Weights);
        var image = images[0].Resize(64, 96);
        using var backbone = new OnnxBackbone(model);
        var actual = backbone.Extract(image, out int h, out int w);
        Assert.Equal((2, 3), (h, w));
        var norm = PixelNormalization.ImageNet;
        var input = tensor(image.Pixels, [1, 3, 64, 96])
            .sub(tensor(norm.Mean.ToArray(), [1, 3, 1, 1])).div(tensor(norm.Std.ToArray(), [1, 3, 1, 1]));
        var expected = Run(net, input, out _);
        float peak = expected.Max(Math.Abs), diff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"fine-tuned ONNX vs module: max |diff| {diff:E2}, feature max {peak:F3}");
        Assert.True(diff <= 1e-3f * peak, $"max |diff| {diff}, feature max {peak}");
    }

    private static float[] Data(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();
}
