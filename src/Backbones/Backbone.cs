namespace LpCam.MLNet.Backbones;

/// <summary>Factories of the backbones that ship with LpCam.MLNet.</summary>
/// <remarks>Load ONNX models only from trusted sources: a model file is code that ONNX Runtime executes.</remarks>
public static class Backbone
{
    /// <summary>
    /// The pretrained ImageNet ResNet-18 of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>, rewritten in memory by
    /// <see cref="ResNet18Rewriter"/>: RGB 0..255 of any size in, 512 channels out.
    /// </summary>
    /// <param name="outputStride">32 (as trained) or 16 (last stage dilated; equals the stride-32 map at even positions).</param>
    /// <param name="gpuDeviceId">CUDA device; null: the CPU. Falls back to the CPU when CUDA cannot be loaded.</param>
    /// <param name="log">Receives a line saying which execution provider is used.</param>
    public static OnnxBackbone ResNet18(int outputStride = 32, int? gpuDeviceId = null, Action<string>? log = null) =>
        new(ResNet18Rewriter.Rewrite(outputStride), gpuDeviceId, log);

    /// <summary>Any ONNX model cut at a 4-D float feature tensor.</summary>
    /// <param name="path">The ONNX file (read only).</param>
    /// <param name="featureTensorName">The [N, D, h, w] tensor to read (an output or an intermediate tensor).</param>
    /// <param name="normalization">How RGB 0..255 pixels become the input; null: <see cref="PixelNormalization.Identity"/>.</param>
    /// <param name="stride">Output stride; null: inferred from a probe run.</param>
    /// <param name="gpuDeviceId">CUDA device; null: the CPU.</param>
    /// <exception cref="ArgumentException">The tensor is missing (the message lists the available names), not float, or not 4-D.</exception>
    public static OnnxBackbone FromOnnx(string path, string featureTensorName, PixelNormalization? normalization = null,
        int? stride = null, int? gpuDeviceId = null) =>
        FromOnnx(path, new OnnxBackboneOptions(featureTensorName)
        {
            Normalization = normalization ?? PixelNormalization.Identity,
            Stride = stride,
            GpuDeviceId = gpuDeviceId,
        });

    /// <summary>Any ONNX model cut at a 4-D float feature tensor, with every option.</summary>
    /// <exception cref="ArgumentException">The tensor or input is missing (the message lists the available names), the tensor is
    /// not float or not 4-D, or the classifier weights are missing or of the wrong shape.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static OnnxBackbone FromOnnx(string path, OnnxBackboneOptions options) => OnnxFeatureModelLoader.Load(path, options);
}
