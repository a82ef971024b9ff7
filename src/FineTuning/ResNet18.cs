using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// ResNet-18 as a TorchSharp module in the exact layout of the pretrained CNTK export that ships in
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (as rewritten by <see cref="ResNet18Rewriter"/>), so that its weights
/// can be loaded from the ONNX initializers (<see cref="FromOnnx"/>), fine-tuned (<see cref="FineTuner"/>) and written
/// back (<see cref="OnnxWriteBack"/>).
/// </summary>
/// <remarks>
/// <para>Input: planar RGB 0..255 [N, 3, H, W] with H and W multiples of 32 (see <see cref="Features"/> for any size).
/// The per-channel mean of the package's preprocessing is subtracted first, and the stem's weights read R, G, B (the
/// rewriter reversed their input channels), exactly as in the rewritten ONNX graph. Output: the 512-channel map after the
/// last ReLU, stride 32 or 16.</para>
/// <para>Padding as in the CNTK export (read from its Conv nodes' <c>pads</c>): the 7x7 stem pads 3 top/left and 2
/// bottom/right, the stem max-pool 1 top/left and 0 bottom/right, the stride-2 3x3 convolutions 1 top/left and 0
/// bottom/right (explicit <c>F.pad</c> before an unpadded convolution); every other 3x3 convolution pads 1 on every side.
/// PyTorch's symmetric padding would shift the map by one pixel at each stride-2 layer.</para>
/// <para>Output stride 16 (the recipe's layout, as the rewriter builds it): layer4's first 3x3 convolution and its 1x1
/// shortcut get stride 1 (that convolution pads 1 symmetrically), and the later 3x3 convolutions of layer4 use
/// dilation 2 with padding 2. The reference recipe has no dilation there; this library keeps it because without
/// fine-tuning it preserves the pretrained map (platform notes).</para>
/// <para>Blocks: 2, 2, 2 and 3 per stage, as the CNTK export has them (<see cref="BlocksPerStage"/>).
/// Parameter names follow torchvision (<c>conv1.weight</c>, <c>layer2.0.downsample.1.running_var</c>, ...).
/// Every BatchNorm has epsilon 1e-5, as in the export. This module is not <c>torchvision.models.resnet18</c>: the
/// padding differs, and the inputs are not ImageNet-normalised.</para>
/// </remarks>
public sealed class ResNet18 : nn.Module<Tensor, Tensor>
{
    /// <summary>
    /// Basic blocks per stage in the CNTK export: 2, 2, 2 and 3 (its last stage has one block more than torchvision's
    /// ResNet-18, so 22 convolutions in all: the stem, 19 3x3 convolutions in blocks and 3 1x1 shortcuts).
    /// </summary>
    public static IReadOnlyList<int> BlocksPerStage { get; } = [2, 2, 2, 3];

    /// <summary>BatchNorm epsilon of the CNTK export.</summary>
    public const double BatchNormEpsilon = 1e-5;

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly float[] _pixelMeanRgb;

    /// <summary>Creates a ResNet-18 with default (random) weights; load the pretrained ones with <see cref="FromOnnx"/>.</summary>
    /// <param name="outputStride">32 (as trained) or 16 (layer4 at stride 1 with dilation 2).</param>
    /// <param name="pixelMeanRgb">Per-channel means (R, G, B, 0..255) subtracted from the input; null: zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputStride"/> is not 16 or 32.</exception>
    public ResNet18(int outputStride = 32, IReadOnlyList<float>? pixelMeanRgb = null) : base(nameof(ResNet18))
    {
        if (outputStride is not (16 or 32))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "The ResNet-18 output stride must be 16 or 32.");
        if (pixelMeanRgb is not null && pixelMeanRgb.Count != 3)
            throw new ArgumentException($"Expected 3 channel means, got {pixelMeanRgb.Count}.", nameof(pixelMeanRgb));
        OutputStride = outputStride;
        _pixelMeanRgb = pixelMeanRgb?.ToArray() ?? new float[3];
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, bias: false);
        bn1 = nn.BatchNorm2d(64, eps: BatchNormEpsilon);
        bool os16 = outputStride == 16;
        layer1 = Stage(64, 64, BlocksPerStage[0], stride: 1, dilated: false);
        layer2 = Stage(64, 128, BlocksPerStage[1], stride: 2, dilated: false);
        layer3 = Stage(128, 256, BlocksPerStage[2], stride: 2, dilated: false);
        layer4 = Stage(256, 512, BlocksPerStage[3], stride: os16 ? 1 : 2, dilated: os16);
        RegisterComponents();
    }

    /// <summary>32 or 16.</summary>
    public int OutputStride { get; }

    /// <summary>Channels of the feature map (512).</summary>
    public int FeatureDim => 512;

    /// <summary>The per-channel means (R, G, B, 0..255) subtracted from the input.</summary>
    public IReadOnlyList<float> PixelMeanRgb => _pixelMeanRgb;

    /// <summary>The stem (conv1 and bn1), which the recipe keeps frozen.</summary>
    internal IEnumerable<Parameter> StemParameters => conv1.parameters().Concat(bn1.parameters());

    /// <summary>
    /// The convolution and BatchNorm layers in the order the CNTK graph runs them, with their layout: what
    /// <see cref="OnnxWeightMap"/> matches against the ONNX Conv and BatchNormalization nodes.
    /// </summary>
    internal static IReadOnlyList<(string Prefix, ConvLayout Layout)> ConvLayers(int outputStride)
    {
        var list = new List<(string, ConvLayout)> { ("conv1", new ConvLayout(7, 2, 1, [3, 3, 2, 2])) };
        for (int stage = 1; stage <= 4; stage++)
        {
            bool dilated = stage == 4 && outputStride == 16;
            int stride = stage == 1 || dilated ? 1 : 2;
            for (int b = 0; b < BlocksPerStage[stage - 1]; b++)
            {
                string p = $"layer{stage}.{b}";
                if (b == 0)
                {
                    list.Add(($"{p}.conv1", stride == 2 ? new ConvLayout(3, 2, 1, [1, 1, 0, 0]) : new ConvLayout(3, 1, 1, [1, 1, 1, 1])));
                    if (stage > 1) list.Add(($"{p}.downsample", new ConvLayout(1, stride, 1, [0, 0, 0, 0])));
                }
                else list.Add(($"{p}.conv1", dilated ? new ConvLayout(3, 1, 2, [2, 2, 2, 2]) : new ConvLayout(3, 1, 1, [1, 1, 1, 1])));
                list.Add(($"{p}.conv2", dilated ? new ConvLayout(3, 1, 2, [2, 2, 2, 2]) : new ConvLayout(3, 1, 1, [1, 1, 1, 1])));
            }
        }
        return list;
    }

    /// <summary>Feature maps [N, 512, H / stride, W / stride] of RGB 0..255 images [N, 3, H, W] (H, W multiples of 32).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        using var mean = tensor(_pixelMeanRgb, [1, 3, 1, 1], device: input.device);
        var x = input.sub(mean);
        x = conv1.forward(nn.functional.pad(x, [3, 2, 3, 2]));
        x = nn.functional.relu(bn1.forward(x));
        // Max-pool padding 1 top/left, 0 bottom/right; zero padding is -inf padding here because x >= 0 after the ReLU.
        x = nn.functional.max_pool2d(nn.functional.pad(x, [1, 0, 1, 0]), 3, 2);
        x = layer1.forward(x);
        x = layer2.forward(x);
        x = layer3.forward(x);
        x = layer4.forward(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Feature maps of same-size images of any size, as <see cref="OnnxBackbone"/> computes them: padded bottom/right to a
    /// multiple of 32 with the mean pixel, run, and cropped to ceil(H / stride) x ceil(W / stride).
    /// </summary>
    /// <returns>A new [N, 512, h, w] tensor on the module's device.</returns>
    public Tensor Features(IReadOnlyList<RgbImage> sameSizeImages) =>
        ImageBatch.PaddedFeatures(sameSizeImages, ResNet18Rewriter.PadMultiple, _pixelMeanRgb, OutputStride, conv1.weight!.device, forward);

    /// <summary>
    /// Builds the module of a rewritten ResNet-18 (<see cref="ResNet18Rewriter.Rewrite"/> or a fine-tuned write-back) and
    /// copies every convolution and BatchNorm tensor from the ONNX initializers, matched node by node (see
    /// <see cref="OnnxWeightMap"/>); the pixel means come from the graph's mean-subtraction node.
    /// </summary>
    /// <param name="model">The rewritten model; its <see cref="BackboneOnnxModel.Stride"/> chooses the layout.</param>
    /// <exception cref="InvalidDataException">The graph is not the rewritten CNTK ResNet-18 in that layout.</exception>
    public static ResNet18 FromOnnx(BackboneOnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var scope = NewDisposeScope();
        var graph = Onnx.OnnxGraphEdits.Parse(model.BytesArray).Graph;
        var map = OnnxWeightMap.Build(graph, model.Stride);
        var net = new ResNet18(model.Stride, map.PixelMeanRgb);
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

    private static Sequential Stage(int inChannels, int outChannels, int blocks, int stride, bool dilated)
    {
        var list = new List<nn.Module<Tensor, Tensor>>
        {
            new BasicBlock(inChannels, outChannels, stride, firstDilation: 1, secondDilation: dilated ? 2 : 1, downsample: inChannels != outChannels),
        };
        for (int b = 1; b < blocks; b++)
            list.Add(new BasicBlock(outChannels, outChannels, 1, firstDilation: dilated ? 2 : 1, secondDilation: dilated ? 2 : 1, downsample: false));
        return nn.Sequential(list);
    }
}

/// <summary>Kernel, stride, dilation and ONNX pads (top, left, bottom, right) of one convolution.</summary>
internal sealed record ConvLayout(int Kernel, int Stride, int Dilation, long[] Pads)
{
    public bool Symmetric => Pads.All(p => p == Pads[0]);
}

/// <summary>
/// The torchvision BasicBlock (two 3x3 convolutions with BatchNorm, identity or 1x1 projection shortcut) with the CNTK
/// export's asymmetric padding on its stride-2 convolution.
/// </summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;
    private readonly bool _padTopLeft;

    public BasicBlock(int inChannels, int outChannels, int stride, int firstDilation, int secondDilation, bool downsample) : base(nameof(BasicBlock))
    {
        _padTopLeft = stride == 2;
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: _padTopLeft ? 0 : firstDilation, dilation: firstDilation, bias: false);
        bn1 = nn.BatchNorm2d(outChannels, eps: ResNet18.BatchNormEpsilon);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: secondDilation, dilation: secondDilation, bias: false);
        bn2 = nn.BatchNorm2d(outChannels, eps: ResNet18.BatchNormEpsilon);
        if (downsample)
            this.downsample = nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), nn.BatchNorm2d(outChannels, eps: ResNet18.BatchNormEpsilon));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = _padTopLeft ? nn.functional.pad(input, [1, 0, 1, 0]) : input;
        x = nn.functional.relu(bn1.forward(conv1.forward(x)));
        x = bn2.forward(conv2.forward(x));
        var shortcut = downsample is null ? input : downsample.forward(input);
        return nn.functional.relu(x.add_(shortcut)).MoveToOuterDisposeScope();
    }
}
