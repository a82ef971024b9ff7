using LpCam.MLNet.Backbones;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// ResNet-18 as a <see cref="ResNet"/> in the exact layout of the pretrained CNTK export that ships in
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (as rewritten by <see cref="ResNet18Rewriter"/>), so that its weights
/// can be loaded from the ONNX initializers (<see cref="FromOnnx"/>), fine-tuned (<see cref="FineTuner"/>) and written
/// back (<see cref="OnnxWriteBack"/>).
/// </summary>
/// <remarks>
/// <para>The network: <see cref="ResNetBlock.Basic"/> blocks, <see cref="BlocksPerStage"/> per stage,
/// <see cref="ResNetPadding.Cntk"/> padding, output stride 32 or 16, and the per-channel mean of the package's
/// preprocessing subtracted at the input (<see cref="ResNet.PixelMeanRgb"/>). Input: planar RGB 0..255 [N, 3, H, W] with
/// H and W multiples of 32 (see <see cref="ResNet.Features"/> for any size); the stem's weights read R, G, B (the
/// rewriter reversed their input channels), exactly as in the rewritten ONNX graph. Output: the 512-channel map after the
/// last ReLU.</para>
/// <para>This is not <c>torchvision.models.resnet18</c>: the padding differs, layer4 has one block more, and the inputs
/// are not ImageNet-normalised.</para>
/// </remarks>
public static class ResNet18
{
    /// <summary>The family's name, <see cref="ResNet.Architecture"/> of the networks made here.</summary>
    public const string Architecture = "resnet18";

    /// <summary>
    /// Basic blocks per stage in the CNTK export: 2, 2, 2 and 3 (its last stage has one block more than torchvision's
    /// ResNet-18, so 22 convolutions in all: the stem, 19 3x3 convolutions in blocks and 3 1x1 shortcuts).
    /// </summary>
    public static IReadOnlyList<int> BlocksPerStage { get; } = [2, 2, 2, 3];

    /// <summary>Creates a CNTK-layout ResNet-18 with default (random) weights; load the pretrained ones with <see cref="FromOnnx"/>.</summary>
    /// <param name="outputStride">32 (as trained) or 16 (layer4 at stride 1 with dilation 2).</param>
    /// <param name="pixelMeanRgb">Per-channel means (R, G, B, 0..255) subtracted from the input; null: zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputStride"/> is not 16 or 32.</exception>
    /// <exception cref="ArgumentException">Not 3 means.</exception>
    public static ResNet Create(int outputStride = 32, IReadOnlyList<float>? pixelMeanRgb = null) =>
        new(ResNetBlock.Basic, BlocksPerStage, outputStride, ResNetPadding.Cntk, pixelMeanRgb ?? new float[3], Architecture);

    /// <summary>
    /// Builds the module of a rewritten ResNet-18 (<see cref="ResNet18Rewriter.Rewrite"/> or a fine-tuned write-back) and
    /// copies every convolution and BatchNorm tensor from the ONNX initializers, matched node by node (see
    /// <see cref="OnnxWeightMap"/>); the pixel means come from the graph's mean-subtraction node.
    /// </summary>
    /// <param name="model">The rewritten model; its <see cref="BackboneOnnxModel.Stride"/> chooses the layout.</param>
    /// <returns>The network, in eval mode.</returns>
    /// <exception cref="InvalidDataException">The graph is not the rewritten CNTK ResNet-18 in that layout.</exception>
    public static ResNet FromOnnx(BackboneOnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var graph = Onnx.OnnxGraphEdits.Parse(model.BytesArray).Graph;
        var map = OnnxWeightMap.Build(graph, model.Stride);
        var net = Create(model.Stride, map.PixelMeanRgb);
        var parameters = net.state_dict();
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var (name, initializer) in map.Entries)
            {
                var target = parameters.TryGetValue(name, out var t) ? t
                    : throw new InvalidDataException($"The module has no tensor '{name}'.");
                var values = Onnx.OnnxGraphEdits.ReadFloats(initializers[initializer]);
                if (values.Length != target.numel())
                    throw new InvalidDataException($"Initializer '{initializer}' has {values.Length} values; '{name}' needs {target.numel()}.");
                target.copy_(tensor(values, target.shape));
            }
        }
        net.eval();
        return net;
    }

    /// <summary>Whether <paramref name="network"/> has this family's layout (basic blocks 2-2-2-3, CNTK padding, a pixel mean).</summary>
    public static bool HasLayout(ResNet network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Block == ResNetBlock.Basic && network.Padding == ResNetPadding.Cntk && network.PixelMeanRgb is not null
            && network.BlocksPerStage.SequenceEqual(BlocksPerStage);
    }

    /// <summary>
    /// The convolution and BatchNorm layers in the order the CNTK graph runs them, with their layout: what
    /// <see cref="OnnxWeightMap"/> matches against the ONNX Conv and BatchNormalization nodes.
    /// </summary>
    internal static IReadOnlyList<(string Prefix, ConvLayout Layout)> ConvLayers(int outputStride) =>
        ResNet.ConvLayers(ResNetBlock.Basic, BlocksPerStage, outputStride, ResNetPadding.Cntk);
}
