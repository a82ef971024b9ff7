using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Images;
using Microsoft.ML.OnnxRuntime;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Runs a <see cref="MultiScaleCamGraph"/> (backbone + head + multi-scale + flip in one ONNX graph) with ONNX Runtime:
/// on CUDA device <c>gpuDeviceId</c> when given and loadable, otherwise on the CPU.
/// </summary>
/// <remarks>The graph has a fixed input size: resize or pad images to <see cref="Height"/> x <see cref="Width"/> first.
/// Thread-safe for concurrent runs; dispose to release the native session.</remarks>
public sealed class MultiScaleCamRunner : IDisposable
{
    private readonly OnnxSessionHandle _handle;
    private bool _disposed;

    /// <summary>Builds the graph (see <see cref="MultiScaleCamGraph.Build"/>) and opens a session for it.</summary>
    /// <param name="backbone">The feature extractor.</param>
    /// <param name="head">Bias-free classifier weights C x D.</param>
    /// <param name="scales">Positive scale factors.</param>
    /// <param name="flip">Whether each scale also runs the mirror image.</param>
    /// <param name="height">Image and map height.</param>
    /// <param name="width">Image and map width.</param>
    /// <param name="gpuDeviceId">CUDA device; null: the CPU. Falls back to the CPU when CUDA cannot be loaded.</param>
    /// <param name="log">Receives a line saying which execution provider is used.</param>
    public MultiScaleCamRunner(BackboneOnnxModel backbone, ClassifierHead head, IReadOnlyList<double> scales, bool flip,
        int height, int width, int? gpuDeviceId = null, Action<string>? log = null)
    {
        ModelBytes = MultiScaleCamGraph.Build(backbone, head, scales, flip, height, width);
        Height = height;
        Width = width;
        ClassCount = head.ClassCount;
        _handle = OnnxSessionHandle.Create(ModelBytes, gpuDeviceId, log, $"multi-scale CAM ({backbone.Name})");
    }

    /// <summary>The compiled ONNX model.</summary>
    public byte[] ModelBytes { get; }

    /// <summary>Image and map height.</summary>
    public int Height { get; }

    /// <summary>Image and map width.</summary>
    public int Width { get; }

    /// <summary>Number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The execution provider in use: <c>CUDA:&lt;id&gt;</c> or <c>CPU</c>.</summary>
    public string ExecutionProvider => _handle.Provider;

    /// <summary>Computes the normalised CAM of one image.</summary>
    /// <param name="image">An image of exactly <see cref="Height"/> x <see cref="Width"/>.</param>
    /// <param name="scores">Sigmoid class scores (first scale, un-flipped image), C values.</param>
    /// <returns>C x H x W values in [0, 1], C order.</returns>
    /// <exception cref="ArgumentException">The image has another size.</exception>
    public float[] Run(RgbImage image, out float[] scores)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(image);
        if (image.Height != Height || image.Width != Width)
            throw new ArgumentException($"The graph takes {Height}x{Width} images; got {image.Height}x{image.Width}. Resize or pad the image first.", nameof(image));
        using var input = OrtValue.CreateTensorValueFromMemory(image.Pixels, [1, 3, Height, Width]);
        var inputs = new Dictionary<string, OrtValue> { [MultiScaleCamGraph.ImageInput] = input };
        using var runOptions = new RunOptions();
        using var outputs = _handle.Session.Run(runOptions, inputs, [MultiScaleCamGraph.CamOutput, MultiScaleCamGraph.ScoresOutput]);
        scores = outputs[1].GetTensorDataAsSpan<float>().ToArray();
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _handle.Dispose();
    }
}
