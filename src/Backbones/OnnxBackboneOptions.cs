namespace LpCam.MLNet.Backbones;

/// <summary>Options of <see cref="Backbone.FromOnnx(string, OnnxBackboneOptions)"/>: which tensor of a user ONNX model is the feature map, and how to feed it.</summary>
public sealed class OnnxBackboneOptions
{
    /// <summary>Creates options for the feature tensor <paramref name="featureTensorName"/>.</summary>
    public OnnxBackboneOptions(string featureTensorName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(featureTensorName);
        FeatureTensorName = featureTensorName;
    }

    /// <summary>The 4-D [N, D, h, w] float tensor to read: a graph output or any intermediate tensor.</summary>
    public string FeatureTensorName { get; }

    /// <summary>The image input; null: the model's only input (excluding initializers).</summary>
    public string? InputName { get; set; }

    /// <summary>How RGB 0..255 pixels become the model's input; default <see cref="PixelNormalization.Identity"/>.</summary>
    public PixelNormalization Normalization { get; set; } = PixelNormalization.Identity;

    /// <summary>Output stride; null: inferred from a probe run (probe size / map size).</summary>
    public int? Stride { get; set; }

    /// <summary>Pad images bottom/right to a multiple of this; null: the stride.</summary>
    public int? PadMultiple { get; set; }

    /// <summary>Padding pixel (RGB, 0..255); null: the pixel that normalises to zero.</summary>
    public IReadOnlyList<float>? PadPixelRgb { get; set; }

    /// <summary>An initializer of shape [C, D] or [C, D, 1, 1] to read out as the classifier head; null: none.</summary>
    public string? ClassifierWeightsName { get; set; }

    /// <summary>Make the input's batch, height and width dims symbolic so any image size runs; default true.</summary>
    public bool SymbolicInputSize { get; set; } = true;

    /// <summary>CUDA device to run on; null: the CPU. Falls back to the CPU when CUDA cannot be loaded.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Receives lines about the located feature node and the execution provider.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Backbone name; null: the file name plus the tensor name.</summary>
    public string? Name { get; set; }
}
