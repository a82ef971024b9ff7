using LpCam.MLNet.Backbones;
using LpCam.MLNet.Estimators;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// CamFeaturizer's graph up to its features (the same nodes the estimator compiles), run by ONNX Runtime over arrays:
/// an IsoPad canvas of pixels and the image's own size in; the features of every scale and flip, packed as the Features
/// column (<see cref="FeatureColumnLayout"/>), and their sizes out. The CLI's backbone step uses it, so the CLI and the
/// ML.NET components featurise an image identically.
/// </summary>
public sealed class PackedFeatureExtractor : IDisposable
{
    private const string Pixels = "pixels", ImageSize = "image_size", Features = "features", FeatureSize = "feature_size";
    private readonly OnnxSessionHandle _handle;

    /// <summary>Compiles the graph for a backbone, a layout and a canvas size.</summary>
    /// <param name="backbone">The backbone (for example <see cref="ResNet18Rewriter.Rewrite"/>'s model).</param>
    /// <param name="layout">The scales and flip.</param>
    /// <param name="canvasHeight">The canvas height (the CLI's <c>--long-side</c>).</param>
    /// <param name="canvasWidth">The canvas width.</param>
    /// <param name="gpuDeviceId">CUDA device; null: the CPU. Falls back to the CPU when CUDA cannot be loaded.</param>
    /// <param name="log">Receives a line saying which execution provider is used.</param>
    public PackedFeatureExtractor(BackboneOnnxModel backbone, FeatureColumnLayout layout, int canvasHeight, int canvasWidth,
        int? gpuDeviceId = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(canvasHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(canvasWidth, 1);
        var names = new CamFeaturizerNames(Pixels, ImageSize, Features, FeatureSize, "scores", "cam", "map_size");
        var graph = CamFeaturizerGraph.Build(backbone, null, layout, canvasHeight, canvasWidth, names, []);
        _handle = OnnxSessionHandle.Create(graph, gpuDeviceId, log, backbone.Name);
        (Layout, FeatureDim, CanvasHeight, CanvasWidth) = (layout, backbone.FeatureDim, canvasHeight, canvasWidth);
    }

    /// <summary>The scales and flip.</summary>
    public FeatureColumnLayout Layout { get; }

    /// <summary>Channels D of each feature map.</summary>
    public int FeatureDim { get; }

    /// <summary>The canvas height.</summary>
    public int CanvasHeight { get; }

    /// <summary>The canvas width.</summary>
    public int CanvasWidth { get; }

    /// <summary>"CUDA:&lt;id&gt;" or "CPU".</summary>
    public string ExecutionProvider => _handle.Provider;

    /// <summary>The packed features and their sizes ((h, w) per block scale) of one image.</summary>
    /// <param name="canvas">Planar RGB 0..255 [3, canvas height, canvas width] (ResizeImages IsoPad + ExtractPixels, or <see cref="Images.CanvasPixels"/>).</param>
    /// <param name="height">The image's original height.</param>
    /// <param name="width">The image's original width.</param>
    public (float[] Features, float[] FeatureSize) Extract(float[] canvas, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        if (canvas.Length != 3L * CanvasHeight * CanvasWidth)
            throw new ArgumentException($"The canvas has {canvas.Length} values; expected 3 x {CanvasHeight} x {CanvasWidth}.", nameof(canvas));
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        using var pixels = OrtValue.CreateTensorValueFromMemory(canvas, [1, 3, CanvasHeight, CanvasWidth]);
        using var size = OrtValue.CreateTensorValueFromMemory(new float[] { height, width }, [1, 2]);
        using var run = new RunOptions();
        using var outputs = _handle.Session.Run(run, [Pixels, ImageSize], [pixels, size], [Features, FeatureSize]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<float>().ToArray());
    }

    /// <summary>The scale-1 features of the image (the first block of <paramref name="packed"/>) and their size.</summary>
    public static (float[] Features, int Height, int Width) ScaleOne(float[] packed, float[] featureSize, int featureDim)
    {
        int h = (int)featureSize[0], w = (int)featureSize[1];
        return (packed.AsSpan(0, featureDim * h * w).ToArray(), h, w);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();
}
