using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Images;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>What <see cref="FineTuner"/> trains: a feature network with a frozen stem and its way back to ONNX.</summary>
internal interface IFeatureNetwork
{
    /// <summary>The TorchSharp module.</summary>
    nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Channels D of the map.</summary>
    int FeatureDim { get; }

    /// <summary>Output stride.</summary>
    int OutputStride { get; }

    /// <summary>The RGB 0..255 pixel that crops are padded with.</summary>
    IReadOnlyList<float> PadPixelRgb { get; }

    /// <summary>The stem's parameters and those of the stages before <paramref name="firstTrainedStage"/> (see <see cref="ResNet.ParametersBefore"/>).</summary>
    IEnumerable<Parameter> ParametersBefore(int firstTrainedStage);

    /// <summary>The map [N, D, h, w] of RGB 0..255 crops [N, 3, H, W] (H, W multiples of 32).</summary>
    Tensor Forward(Tensor rgb255);

    /// <summary>The map of same-size images padded like <see cref="OnnxBackbone"/> and cropped to ceil(H / stride) x ceil(W / stride).</summary>
    Tensor Features(IReadOnlyList<RgbImage> sameSizeImages);

    /// <summary>The network as an ONNX backbone with <paramref name="head"/> attached.</summary>
    BackboneOnnxModel ToOnnx(ClassifierHead head, string? name);
}

/// <summary>The CNTK-layout ResNet-18 loaded from, and written back into, the rewritten ONNX model.</summary>
internal sealed class ResNet18FeatureNetwork(ResNet network, BackboneOnnxModel template) : IFeatureNetwork
{
    public nn.Module<Tensor, Tensor> Module => network;
    public int FeatureDim => network.FeatureDim;
    public int OutputStride => network.OutputStride;
    public IReadOnlyList<float> PadPixelRgb => network.PixelMeanRgb ?? new float[3];
    public IEnumerable<Parameter> ParametersBefore(int firstTrainedStage) => network.ParametersBefore(firstTrainedStage);
    public Tensor Forward(Tensor rgb255) => network.forward(rgb255);
    public Tensor Features(IReadOnlyList<RgbImage> sameSizeImages) => network.Features(sameSizeImages);
    public BackboneOnnxModel ToOnnx(ClassifierHead head, string? name) => OnnxWriteBack.Write(network, template, head, name);
}

/// <summary>The torchvision-layout ResNet (the ResNet-50): ImageNet normalisation before the module, exported by <see cref="ResNet50Onnx"/>.</summary>
internal sealed class ResNet50FeatureNetwork(ResNet network) : IFeatureNetwork
{
    public nn.Module<Tensor, Tensor> Module => network;
    public int FeatureDim => network.FeatureDim;
    public int OutputStride => network.OutputStride;
    public IReadOnlyList<float> PadPixelRgb => ResNet50Onnx.PadPixelRgb;
    public IEnumerable<Parameter> ParametersBefore(int firstTrainedStage) => network.ParametersBefore(firstTrainedStage);

    public Tensor Forward(Tensor rgb255)
    {
        using var scope = NewDisposeScope();
        var norm = PixelNormalization.ImageNet;
        using var mean = tensor(norm.Mean.ToArray(), [1, 3, 1, 1], device: rgb255.device);
        using var std = tensor(norm.Std.ToArray(), [1, 3, 1, 1], device: rgb255.device);
        return network.forward(rgb255.sub(mean).div(std)).MoveToOuterDisposeScope();
    }

    public Tensor Features(IReadOnlyList<RgbImage> sameSizeImages) =>
        ImageBatch.PaddedFeatures(sameSizeImages, ResNet50Onnx.PadMultiple, PadPixelRgb, OutputStride, network.parameters().First().device, Forward);

    public BackboneOnnxModel ToOnnx(ClassifierHead head, string? name) =>
        ResNet50Onnx.Export(network, name ?? $"{network.Architecture}-os{network.OutputStride}-finetuned", head);
}
