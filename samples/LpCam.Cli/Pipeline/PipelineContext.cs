using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine;
using LpCam.MLNet.Images;
using static TorchSharp.torch;

namespace LpCam.Cli.Pipeline;

/// <summary>What the steps of one run share: dataset, options, output folder, the backbone (opened on first use) and timings.</summary>
internal sealed class PipelineContext : IDisposable
{
    private IBackbone? _backbone;

    public PipelineContext(RunDataset dataset, PipelineOptions options)
    {
        Dataset = dataset.Take(options.MaxImages);
        Options = options;
        Folder = new RunFolder(options.Out);
        TorchDevice = LpCam.MLNet.Engine.TorchDevice.Resolve(options.Device);
    }

    public RunDataset Dataset { get; }
    public PipelineOptions Options { get; }
    public RunFolder Folder { get; }
    public Device TorchDevice { get; }

    /// <summary>
    /// The backbone named by --backbone: "resnet18" (stride 32), "resnet18-os16" (stride 16, dilated), or
    /// "PATH.onnx:TENSOR" for any ONNX model cut at a feature tensor (ImageNet mean/std input).
    /// </summary>
    public IBackbone Backbone => _backbone ??= OpenBackbone();

    /// <summary>The image as the backbone sees it: scaled so that its long side is --long-side.</summary>
    public RgbImage InputImage(string name, out int originalHeight, out int originalWidth)
    {
        var image = Dataset.LoadImage(name);
        originalHeight = image.Height;
        originalWidth = image.Width;
        return image.ResizeLongSide(Options.LongSide);
    }

    public Tensor Extract(IReadOnlyList<RgbImage> batch) => Backbone.ExtractTensor(batch);

    private IBackbone OpenBackbone()
    {
        int? gpu = Options.Device == "cuda" ? 0 : null;
        void Log(string line) => Console.WriteLine($"backbone: {line}");
        switch (Options.Backbone)
        {
            case "resnet18": return MLNet.Backbones.Backbone.ResNet18(32, gpu, Log);
            case "resnet18-os16": return MLNet.Backbones.Backbone.ResNet18(16, gpu, Log);
        }
        int colon = Options.Backbone.LastIndexOf(':');
        if (colon <= 0 || !Options.Backbone[..colon].EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"option --backbone is '{Options.Backbone}'; expected resnet18, resnet18-os16 or PATH.onnx:FEATURE_TENSOR.");
        return MLNet.Backbones.Backbone.FromOnnx(Options.Backbone[..colon], new OnnxBackboneOptions(Options.Backbone[(colon + 1)..])
        {
            Normalization = PixelNormalization.ImageNet,
            GpuDeviceId = gpu,
            Log = Log,
        });
    }

    public void Dispose() => _backbone?.Dispose();
}
