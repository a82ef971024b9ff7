using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine;
using LpCam.MLNet.Estimators;
using LpCam.MLNet.Onnx;
using LpCam.MLNet.Images;
using static TorchSharp.torch;

namespace LpCam.Cli.Pipeline;

/// <summary>What the steps of one run share: dataset, options, output folder, the backbone (opened on first use) and timings.</summary>
internal sealed class PipelineContext : IDisposable
{
    private BackboneOnnxModel? _backbone;
    private PackedFeatureExtractor? _extractor;
    private CanvasPixels? _canvas;

    public PipelineContext(RunDataset dataset, PipelineOptions options)
    {
        Dataset = dataset.Take(options.MaxImages);
        Options = options;
        Folder = RunFolder.Open(options.Out);
        TorchDevice = LpCam.MLNet.Engine.TorchDevice.Resolve(options.Device);
        Layout = new FeatureColumnLayout(options.Scales.Scales, options.Scales.Flip);
    }

    /// <summary>How the features of every scale and flip are packed (as CamFeaturizer's Features column).</summary>
    public FeatureColumnLayout Layout { get; }

    public RunDataset Dataset { get; }
    public PipelineOptions Options { get; }
    public RunFolder Folder { get; }
    public Device TorchDevice { get; }

    /// <summary>The per-step times of this process, for the breakdown at the end of a run.</summary>
    public StepTimings Timings { get; } = new();

    /// <summary>
    /// The backbone named by --backbone: "resnet18" (stride 32), "resnet18-os16" (stride 16, dilated), or
    /// "PATH.onnx:TENSOR" for any ONNX model cut at a feature tensor (ImageNet mean/std input), except models saved by
    /// LpCam.MLNet (lpcam fine-tune), which are recognised by their metadata and fed RGB 0..255 as they were built.
    /// </summary>
    public BackboneOnnxModel Backbone => _backbone ??= OpenBackboneChecked();

    /// <summary>CamFeaturizer's feature graph for the backbone, the layout and the --long-side canvas.</summary>
    public PackedFeatureExtractor FeatureExtractor => _extractor ??= new PackedFeatureExtractor(Backbone, Layout, Options.LongSide, Options.LongSide,
        Options.Device == "cuda" ? 0 : null, line => Console.WriteLine($"backbone: {line}"));

    /// <summary>
    /// The image on its --long-side x --long-side canvas, as ML.NET's LoadImages, ResizeImages(IsoPad) and ExtractPixels
    /// make it for CamFeaturizer (its long side becomes --long-side), and its own size.
    /// </summary>
    public (float[] Canvas, int Height, int Width) Canvas(string name)
    {
        _canvas ??= new CanvasPixels(Options.LongSide, Options.LongSide);
        return Dataset.ImagePath(name) is { } path ? _canvas.FromFile(path) : _canvas.FromImage(Dataset.LoadImage(name));
    }

    /// <summary>An image's cached features file, read whole and checked against the run's scales and flip.</summary>
    public ImageFeatures ReadFeatures(string path) => FeatureFiles.Read(path, Layout.BlockScales.Count, Layout.Flip);

    /// <summary>Opens the backbone; a file that is not an ONNX model, or lacks the tensor, is a clear --backbone error.</summary>
    private BackboneOnnxModel OpenBackboneChecked()
    {
        switch (Options.Backbone)
        {
            case "resnet18": return ResNet18Rewriter.Rewrite(32);
            case "resnet18-os16": return ResNet18Rewriter.Rewrite(16);
        }
        try
        {
            // A model file is opened once on the CPU to check it (a missing tensor, a file that is not ONNX, its stride);
            // the runs use its model in CamFeaturizer's graph.
            using var backbone = OpenBackboneFile();
            return backbone.Model;
        }
        catch (Exception e) when (e is not CliException and not OutOfMemoryException)
        {
            string why = CliErrors.FirstLine(e.Message);
            if (e.GetType().Name == "InvalidProtocolBufferException") why = $"the file is not an ONNX model ({why})";
            throw new CliException($"option --backbone '{Options.Backbone}' could not be opened: {why}");
        }
    }

    private OnnxBackbone OpenBackboneFile()
    {
        int colon = Options.Backbone.LastIndexOf(':');
        if (colon <= 0 || !Options.Backbone[..colon].EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"option --backbone is '{Options.Backbone}'; expected resnet18, resnet18-os16 or PATH.onnx:FEATURE_TENSOR.");
        string path = Options.Backbone[..colon], tensor = Options.Backbone[(colon + 1)..];
        if (!File.Exists(path)) throw new CliException($"option --backbone: ONNX model file not found: '{path}'.");
        // A model saved by LpCam.MLNet (lpcam fine-tune, BackboneOnnxModel.Save) folds its pixel preprocessing: RGB 0..255
        // in, padded with its pixel mean to its multiple. Only foreign models get ImageNet mean/std normalisation.
        if (ResNet18Rewriter.SavedModelOptions(path, tensor) is { } saved)
        {
            Console.WriteLine($"backbone: {Path.GetFileName(path)} is an LpCam.MLNet backbone ({saved.Name}): RGB 0..255 input, preprocessing inside the graph.");
            return MLNet.Backbones.Backbone.FromOnnx(path, saved);
        }
        return MLNet.Backbones.Backbone.FromOnnx(path, new OnnxBackboneOptions(tensor) { Normalization = PixelNormalization.ImageNet });
    }

    public void Dispose()
    {
        _extractor?.Dispose();
        _canvas?.Dispose();
        Folder.Dispose();
    }
}
