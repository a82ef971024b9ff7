using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Images;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LpCam.MLNet.Backbones;

/// <summary>
/// An <see cref="IBackbone"/> that runs a <see cref="BackboneOnnxModel"/> with ONNX Runtime: the rewritten pretrained
/// ResNet-18 (<see cref="Backbone.ResNet18"/>) or any user ONNX model cut at a named feature tensor
/// (<see cref="Backbone.FromOnnx(string, OnnxBackboneOptions)"/>).
/// </summary>
/// <remarks>
/// Images are normalised and padded in C# (see <see cref="BackboneOnnxModel"/>), run as one ONNX batch per call, and each
/// map is cropped to ceil(H / stride) x ceil(W / stride). <see cref="ExecutionProvider"/> says whether CUDA or the CPU
/// runs the session. Thread-safe for concurrent extraction; dispose to release the native session.
/// </remarks>
public sealed class OnnxBackbone : IBackbone
{
    private readonly OnnxSessionHandle _handle;
    private bool _disposed;

    /// <summary>Creates a backbone for an in-memory model.</summary>
    /// <param name="model">The model and its metadata.</param>
    /// <param name="gpuDeviceId">CUDA device to run on; null for the CPU. Falls back to the CPU when CUDA cannot be loaded.</param>
    /// <param name="log">Receives a line saying which execution provider is used.</param>
    public OnnxBackbone(BackboneOnnxModel model, int? gpuDeviceId = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _handle = OnnxSessionHandle.Create(model.BytesArray, gpuDeviceId, log, model.Name);
    }

    internal OnnxBackbone(BackboneOnnxModel model, OnnxSessionHandle handle)
    {
        Model = model;
        _handle = handle;
    }

    /// <summary>The model this backbone runs (bytes, input/output names, stride, normalisation).</summary>
    public BackboneOnnxModel Model { get; }

    /// <summary>The execution provider in use: <c>CUDA:&lt;id&gt;</c> or <c>CPU</c>.</summary>
    public string ExecutionProvider => _handle.Provider;

    /// <summary>Classifier weights read from the model file, when they were asked for.</summary>
    public ClassifierHead? Head => Model.Head;

    /// <inheritdoc/>
    public string Name => Model.Name;

    /// <inheritdoc/>
    public int FeatureDim => Model.FeatureDim;

    /// <inheritdoc/>
    public int Stride => Model.Stride;

    /// <inheritdoc/>
    public (int Height, int Width) FeatureSize(int imageHeight, int imageWidth) =>
        (FeatureGrid.Cells(imageHeight, Stride), FeatureGrid.Cells(imageWidth, Stride));

    /// <inheritdoc/>
    public float[] Extract(RgbImage image, out int height, out int width)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ExtractBatch([image], out height, out width)[0];
    }

    /// <inheritdoc/>
    public IReadOnlyList<float[]> ExtractBatch(IReadOnlyList<RgbImage> sameSizeImages, out int height, out int width)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(sameSizeImages);
        if (sameSizeImages.Count == 0) throw new ArgumentException("Expected at least one image.", nameof(sameSizeImages));
        for (int i = 0; i < sameSizeImages.Count; i++)
        {
            var image = sameSizeImages[i] ?? throw new ArgumentException($"Image {i} is null.", nameof(sameSizeImages));
            if (image.Height != sameSizeImages[0].Height || image.Width != sameSizeImages[0].Width)
                throw new ArgumentException(
                    $"All images of a batch must have one size: image 0 is {sameSizeImages[0].Height}x{sameSizeImages[0].Width}, " +
                    $"image {i} is {image.Height}x{image.Width}. Group images by size or call Extract per image.", nameof(sameSizeImages));
        }

        int count = sameSizeImages.Count, d = FeatureDim;
        float[] input = FeatureGrid.BuildInput(sameSizeImages, Model, out int hp, out int wp);
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [count, 3, hp, wp]);
        var inputs = new Dictionary<string, OrtValue> { [Model.InputName] = inputValue };
        using var runOptions = new RunOptions();
        using var outputs = _handle.Session.Run(runOptions, inputs, [Model.OutputName]);
        var output = outputs[0];
        var info = output.GetTensorTypeAndShape();
        if (info.ElementDataType != TensorElementType.Float)
            throw new InvalidOperationException($"Feature tensor '{Model.OutputName}' is {info.ElementDataType}, expected Float.");
        long[] shape = info.Shape;
        if (shape.Length != 4 || shape[0] != count || shape[1] != d)
            throw new InvalidOperationException(
                $"Feature tensor '{Model.OutputName}' has shape [{string.Join(", ", shape)}], expected [{count}, {d}, h, w].");
        int hf = (int)shape[2], wf = (int)shape[3];
        height = Math.Min(FeatureGrid.Cells(sameSizeImages[0].Height, Stride), hf);
        width = Math.Min(FeatureGrid.Cells(sameSizeImages[0].Width, Stride), wf);
        ReadOnlySpan<float> maps = output.GetTensorDataAsSpan<float>();
        var result = new float[count][];
        for (int b = 0; b < count; b++) result[b] = FeatureGrid.Crop(maps, b, d, hf, wf, height, width);
        return result;
    }

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _handle.Dispose();
    }
}
