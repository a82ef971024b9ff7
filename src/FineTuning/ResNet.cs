using LpCam.MLNet.Images;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>The residual block a <see cref="ResNet"/> is built of, as in torchvision.</summary>
public enum ResNetBlock
{
    /// <summary>Two 3x3 convolutions (expansion 1): ResNet-18 and -34.</summary>
    Basic,

    /// <summary>1x1, 3x3 (carrying the stride, torchvision's v1.5) and 1x1 convolutions (expansion 4): ResNet-50 and deeper.</summary>
    Bottleneck,
}

/// <summary>Where a <see cref="ResNet"/> pads its stride-2 convolutions and its stem max-pool.</summary>
public enum ResNetPadding
{
    /// <summary>
    /// torchvision's symmetric padding: the 7x7 stem pads 3, the stem max-pool 1 and every 3x3 convolution its dilation,
    /// on every side.
    /// </summary>
    Torchvision,

    /// <summary>
    /// The CNTK export's "same" padding (read from its Conv nodes' <c>pads</c>): the 7x7 stem pads 3 top/left and 2
    /// bottom/right, the stem max-pool 1 top/left and 0 bottom/right, the stride-2 3x3 convolutions 1 top/left and 0
    /// bottom/right; every other 3x3 convolution pads its dilation on every side.
    /// </summary>
    Cntk,
}

/// <summary>
/// A residual network as a TorchSharp feature extractor, torchvision's <c>ResNet(block, layers)</c> without the
/// classifier: the stem (7x7 convolution <c>conv1</c>, BatchNorm <c>bn1</c>, ReLU, 3x3 max-pool), then four stages
/// <c>layer1</c> .. <c>layer4</c> of <see cref="Block"/> blocks with 64, 128, 256 and 512 planes. The families are built
/// by <see cref="ResNet18"/> (the CNTK-layout ResNet-18 of the ONNX backbone) and <see cref="ResNet50"/> (torchvision's
/// ResNet-50 from a PyTorch state_dict).
/// </summary>
/// <remarks>
/// <para>Input [N, 3, H, W] with H and W multiples of 32; <see cref="PixelMeanRgb"/>, when set, is subtracted first (the
/// CNTK layout takes RGB 0..255; torchvision's takes ImageNet-normalised images and subtracts nothing). Output: the map
/// after layer4 [N, <see cref="FeatureDim"/>, H / stride, W / stride].</para>
/// <para>Padding (<see cref="Padding"/>): <see cref="ResNetPadding.Cntk"/> pads the stem convolution, the stem max-pool
/// and the stride-2 3x3 convolutions more at the top/left than at the bottom/right, with an explicit <c>F.pad</c> before
/// an unpadded convolution (zero padding before the max-pool equals -inf padding, as its input is a ReLU output);
/// PyTorch's symmetric padding would shift such a map by one pixel at each stride-2 layer.
/// <see cref="ResNetPadding.Torchvision"/> pads symmetrically, as torchvision's modules do.</para>
/// <para>Output stride 16 (<see cref="OutputStride"/>): layer4 runs at stride 1 (its first block's strided 3x3
/// convolution and 1x1 shortcut get stride 1) and its other 3x3 convolutions use dilation 2 with padding 2, as
/// torchvision's <c>replace_stride_with_dilation=[False, False, True]</c>: the first block keeps the previous dilation
/// (1) on its strided convolution, so a basic block dilates only its second convolution and the first bottleneck none.
/// The reference recipe's ResNet-18 has no dilation there; this library keeps it because without fine-tuning it
/// preserves the pretrained map (platform notes). Output stride 32 is the network as trained.</para>
/// <para>Parameter and buffer names are torchvision's (<c>conv1.weight</c>, <c>bn1.running_mean</c>,
/// <c>layer1.0.conv2.weight</c>, <c>layer2.0.downsample.1.running_var</c>, <c>layer4.2.bn3.num_batches_tracked</c>,
/// ...), since weights are loaded by name. Convolutions have no bias; every BatchNorm has epsilon
/// <see cref="BatchNormEpsilon"/>.</para>
/// </remarks>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    /// <summary>BatchNorm epsilon of every layer: torchvision's default, and the CNTK export's.</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>Images are padded to a multiple of this many pixels (the largest output stride).</summary>
    public const int PadMultiple = 32;

    private static readonly int[] Planes = [64, 128, 256, 512];

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly ConvLayout _stemLayout;
    private readonly float[]? _pixelMeanRgb;
    private readonly int[] _blocksPerStage;

    /// <summary>Creates a residual network with random weights (PyTorch's default initialisation).</summary>
    /// <param name="block">The residual block.</param>
    /// <param name="blocksPerStage">Blocks in layer1 .. layer4 (4 counts, each at least 1).</param>
    /// <param name="outputStride">32 (as trained) or 16 (layer4 at stride 1 with dilation 2).</param>
    /// <param name="padding">The padding convention.</param>
    /// <param name="pixelMeanRgb">Per-channel means (R, G, B) subtracted from the input; null: nothing subtracted.</param>
    /// <param name="architecture">The family's name (<c>resnet18</c>, <c>resnet50</c>), used to name exported models.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputStride"/> is not 16 or 32.</exception>
    /// <exception cref="ArgumentException">Not 4 positive block counts, not 3 means, or an empty architecture name.</exception>
    public ResNet(ResNetBlock block, IReadOnlyList<int> blocksPerStage, int outputStride = 32, ResNetPadding padding = ResNetPadding.Torchvision,
        IReadOnlyList<float>? pixelMeanRgb = null, string architecture = "resnet") : base(nameof(ResNet))
    {
        ArgumentNullException.ThrowIfNull(blocksPerStage);
        ArgumentException.ThrowIfNullOrWhiteSpace(architecture);
        Validate(block, blocksPerStage, outputStride, padding);
        OneDnnGuard.Ensure(block);
        if (pixelMeanRgb is not null && pixelMeanRgb.Count != 3)
            throw new ArgumentException($"Expected 3 channel means, got {pixelMeanRgb.Count}.", nameof(pixelMeanRgb));
        Block = block;
        Padding = padding;
        OutputStride = outputStride;
        Architecture = architecture;
        _blocksPerStage = blocksPerStage.ToArray();
        _pixelMeanRgb = pixelMeanRgb?.ToArray();
        _stemLayout = StemLayout(padding);
        conv1 = Conv(3, Planes[0], _stemLayout);
        bn1 = Norm(Planes[0]);
        var stages = Plan(block, _blocksPerStage, outputStride)
            .GroupBy(p => p.Stage)
            .Select(g => nn.Sequential(g.Select(p => CreateBlock(block, p, padding)).ToList()))
            .ToArray();
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        RegisterComponents();
    }

    /// <summary>The residual block.</summary>
    public ResNetBlock Block { get; }

    /// <summary>Blocks in layer1 .. layer4.</summary>
    public IReadOnlyList<int> BlocksPerStage => _blocksPerStage;

    /// <summary>32 or 16.</summary>
    public int OutputStride { get; }

    /// <summary>The padding convention.</summary>
    public ResNetPadding Padding { get; }

    /// <summary>The per-channel means (R, G, B) subtracted from the input; null when nothing is subtracted.</summary>
    public IReadOnlyList<float>? PixelMeanRgb => _pixelMeanRgb;

    /// <summary>The family's name (<c>resnet18</c>, <c>resnet50</c>).</summary>
    public string Architecture { get; }

    /// <summary>Channels of the feature map: 512 times the block's expansion (512 for basic blocks, 2048 for bottlenecks).</summary>
    public int FeatureDim => Planes[^1] * Expansion(Block);

    /// <summary>The stem (conv1 and bn1), which the recipe keeps frozen.</summary>
    public IEnumerable<Parameter> StemParameters => conv1.parameters().Concat(bn1.parameters());

    /// <summary>
    /// The parameters that come before stage <paramref name="firstTrainedStage"/>: the stem, then <c>layer1</c> ..
    /// <c>layer{firstTrainedStage - 1}</c> (1: the stem alone).
    /// </summary>
    /// <param name="firstTrainedStage">1 to 4.</param>
    public IEnumerable<Parameter> ParametersBefore(int firstTrainedStage)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(firstTrainedStage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstTrainedStage, 4);
        var stages = new[] { layer1, layer2, layer3 };
        return StemParameters.Concat(stages.Take(firstTrainedStage - 1).SelectMany(s => s.parameters()));
    }

    /// <summary>The convolutions of this network with their layout, in the order of <see cref="ConvLayers(ResNetBlock, IReadOnlyList{int}, int, ResNetPadding)"/>.</summary>
    internal IReadOnlyList<(string Prefix, ConvLayout Layout)> ConvLayers() => ConvLayers(Block, _blocksPerStage, OutputStride, Padding);

    /// <summary>Feature maps [N, <see cref="FeatureDim"/>, H / stride, W / stride] of images [N, 3, H, W] (H, W multiples of 32).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        if (_pixelMeanRgb is not null)
        {
            using var mean = tensor(_pixelMeanRgb, [1, 3, 1, 1], device: input.device);
            x = x.sub(mean);
        }
        x = nn.functional.relu(bn1.forward(Run(conv1, _stemLayout, x)));
        x = Padding == ResNetPadding.Cntk
            // Max-pool padding 1 top/left, 0 bottom/right; zero padding is -inf padding here because x >= 0 after the ReLU.
            ? nn.functional.max_pool2d(nn.functional.pad(x, [1, 0, 1, 0]), 3, 2)
            : nn.functional.max_pool2d(x, 3, 2, 1);
        x = layer1.forward(x);
        x = layer2.forward(x);
        x = layer3.forward(x);
        x = layer4.forward(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Feature maps of same-size RGB 0..255 images of any size, as <see cref="Backbones.OnnxBackbone"/> computes them:
    /// padded bottom/right to a multiple of <see cref="PadMultiple"/> with the mean pixel (<see cref="PixelMeanRgb"/>, or
    /// zero), run as they are, and cropped to ceil(H / stride) x ceil(W / stride). Meant for networks that take RGB
    /// 0..255 (the CNTK layout, which subtracts its pixel mean itself).
    /// </summary>
    /// <returns>A new [N, <see cref="FeatureDim"/>, h, w] tensor on the module's device.</returns>
    public Tensor Features(IReadOnlyList<RgbImage> sameSizeImages) =>
        ImageBatch.PaddedFeatures(sameSizeImages, PadMultiple, _pixelMeanRgb ?? new float[3], OutputStride, conv1.weight!.device, forward);

    /// <summary>
    /// The convolutions of a network in the order the graph runs them, with their kernel, stride, dilation and ONNX pads:
    /// <c>conv1</c>, then per block its convolutions (<c>layer1.0.conv1</c>, ...) and its 1x1 shortcut
    /// (<c>layer2.0.downsample</c>, after the block's first convolution). The module is built from the same layouts, and
    /// <see cref="OnnxWeightMap"/> and <see cref="ResNet50Onnx"/> read them.
    /// </summary>
    internal static IReadOnlyList<(string Prefix, ConvLayout Layout)> ConvLayers(ResNetBlock block, IReadOnlyList<int> blocksPerStage, int outputStride, ResNetPadding padding)
    {
        Validate(block, blocksPerStage, outputStride, padding);
        var list = new List<(string, ConvLayout)> { ("conv1", StemLayout(padding)) };
        foreach (var plan in Plan(block, blocksPerStage, outputStride))
        {
            var convs = BlockConvs(block, plan, padding);
            for (int i = 0; i < convs.Count; i++)
            {
                list.Add(($"{plan.Prefix}.conv{i + 1}", convs[i].Layout));
                if (i == 0 && plan.Downsample) list.Add(($"{plan.Prefix}.downsample", plan.DownsampleLayout));
            }
        }
        return list;
    }

    /// <summary>Output channels of a block per plane: 1 for <see cref="ResNetBlock.Basic"/>, 4 for <see cref="ResNetBlock.Bottleneck"/>.</summary>
    internal static int Expansion(ResNetBlock block) => block switch
    {
        ResNetBlock.Basic => 1,
        ResNetBlock.Bottleneck => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(block), block, "Unknown residual block."),
    };

    /// <summary>A bias-free convolution with the layout's kernel, stride and dilation; symmetric pads are its own padding.</summary>
    internal static Conv2d Conv(int inChannels, int outChannels, ConvLayout layout) =>
        nn.Conv2d(inChannels, outChannels, layout.Kernel, stride: layout.Stride, padding: layout.Symmetric ? layout.Pads[0] : 0,
            dilation: layout.Dilation, bias: false);

    /// <summary>Runs a convolution made by <see cref="Conv"/>, padding first (<c>F.pad</c>) where its pads are asymmetric.</summary>
    internal static Tensor Run(Conv2d conv, ConvLayout layout, Tensor x) =>
        layout.Symmetric ? conv.forward(x) : conv.forward(nn.functional.pad(x, layout.TorchPads));

    /// <summary>A BatchNorm with <see cref="BatchNormEpsilon"/>.</summary>
    internal static BatchNorm2d Norm(int channels) => nn.BatchNorm2d(channels, eps: BatchNormEpsilon);

    /// <summary>
    /// The layout of a 3x3 convolution: pads its dilation on every side, except a stride-2 one in the CNTK layout, which
    /// pads 1 top/left and 0 bottom/right.
    /// </summary>
    internal static ConvLayout Conv3x3(int stride, int dilation, ResNetPadding padding) =>
        new(3, stride, dilation, stride == 2 && padding == ResNetPadding.Cntk
            ? [dilation, dilation, dilation - 1, dilation - 1]
            : [dilation, dilation, dilation, dilation]);

    /// <summary>The layout of a 1x1 convolution.</summary>
    internal static ConvLayout Conv1x1(int stride) => new(1, stride, 1, [0, 0, 0, 0]);

    private static ConvLayout StemLayout(ResNetPadding padding) =>
        new(7, 2, 1, padding == ResNetPadding.Cntk ? [3, 3, 2, 2] : [3, 3, 3, 3]);

    private static void Validate(ResNetBlock block, IReadOnlyList<int> blocksPerStage, int outputStride, ResNetPadding padding)
    {
        Expansion(block);
        if (!Enum.IsDefined(padding))
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "Unknown padding convention.");
        if (outputStride is not (16 or 32))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "The ResNet output stride must be 16 or 32.");
        if (blocksPerStage.Count != Planes.Length || blocksPerStage.Any(b => b < 1))
            throw new ArgumentException($"Expected {Planes.Length} positive block counts, got [{string.Join(", ", blocksPerStage)}].", nameof(blocksPerStage));
    }

    /// <summary>
    /// Every block of the network: its stage's stride on the first block (1 in layer1 and in a dilated layer4), the
    /// previous dilation on the first block's strided convolution and the stage's dilation elsewhere, and a projection
    /// shortcut where the stride or the channel count changes (torchvision's <c>_make_layer</c>).
    /// </summary>
    private static IEnumerable<BlockPlan> Plan(ResNetBlock block, IReadOnlyList<int> blocksPerStage, int outputStride)
    {
        int expansion = Expansion(block);
        int inChannels = Planes[0];
        for (int stage = 0; stage < Planes.Length; stage++)
        {
            bool dilated = stage == Planes.Length - 1 && outputStride == 16;
            int stride = stage == 0 || dilated ? 1 : 2, dilation = dilated ? 2 : 1;
            int planes = Planes[stage];
            for (int b = 0; b < blocksPerStage[stage]; b++)
            {
                bool first = b == 0;
                yield return new BlockPlan($"layer{stage + 1}.{b}", stage, inChannels, planes, expansion,
                    first ? stride : 1, first ? 1 : dilation, dilation, first && (stride != 1 || inChannels != planes * expansion));
                inChannels = planes * expansion;
            }
        }
    }

    private static IReadOnlyList<(int In, int Out, ConvLayout Layout)> BlockConvs(ResNetBlock block, BlockPlan plan, ResNetPadding padding) => block switch
    {
        ResNetBlock.Basic => BasicBlock.Convs(plan, padding),
        ResNetBlock.Bottleneck => Bottleneck.Convs(plan, padding),
        _ => throw new ArgumentOutOfRangeException(nameof(block), block, "Unknown residual block."),
    };

    private static nn.Module<Tensor, Tensor> CreateBlock(ResNetBlock block, BlockPlan plan, ResNetPadding padding) => block switch
    {
        ResNetBlock.Basic => new BasicBlock(plan, padding),
        ResNetBlock.Bottleneck => new Bottleneck(plan, padding),
        _ => throw new ArgumentOutOfRangeException(nameof(block), block, "Unknown residual block."),
    };
}

/// <summary>Kernel, stride, dilation and ONNX pads (top, left, bottom, right) of one convolution.</summary>
internal sealed record ConvLayout(int Kernel, int Stride, int Dilation, long[] Pads)
{
    /// <summary>The same padding on every side.</summary>
    public bool Symmetric => Pads.All(p => p == Pads[0]);

    /// <summary>The pads in <c>F.pad</c>'s order for the last two dimensions: left, right, top, bottom.</summary>
    public long[] TorchPads => [Pads[1], Pads[3], Pads[0], Pads[2]];
}

/// <summary>
/// One block of a <see cref="ResNet"/>: its name (<c>layer2.0</c>), stage (0..3), input channels, planes, expansion,
/// stride, the dilation of its strided 3x3 convolution and of its other 3x3 convolutions, and whether it has a projection
/// shortcut.
/// </summary>
internal readonly record struct BlockPlan(string Prefix, int Stage, int InChannels, int Planes, int Expansion, int Stride,
    int FirstDilation, int Dilation, bool Downsample)
{
    /// <summary>Output channels: planes times expansion.</summary>
    public int OutChannels => Planes * Expansion;

    /// <summary>The 1x1 projection shortcut, at the block's stride.</summary>
    public ConvLayout DownsampleLayout => ResNet.Conv1x1(Stride);
}

/// <summary>
/// A residual block: convolutions <c>conv1</c> .. <c>convK</c>, each followed by its BatchNorm <c>bn1</c> .. <c>bnK</c>
/// and a ReLU (but the last), plus the identity or the 1x1 projection shortcut <c>downsample</c> (convolution and
/// BatchNorm), then the sum's ReLU. Subclasses give the convolutions.
/// </summary>
internal abstract class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly (Conv2d Conv, ConvLayout Layout, BatchNorm2d Norm)[] _layers;
    private readonly Sequential? _downsample;

    /// <summary>Creates and registers the convolutions (torchvision's names), in creation order conv1, bn1, conv2, ..., downsample.</summary>
    protected ResidualBlock(string name, BlockPlan plan, IReadOnlyList<(int In, int Out, ConvLayout Layout)> convs) : base(name)
    {
        _layers = new (Conv2d, ConvLayout, BatchNorm2d)[convs.Count];
        for (int i = 0; i < convs.Count; i++)
        {
            var (inChannels, outChannels, layout) = convs[i];
            var conv = ResNet.Conv(inChannels, outChannels, layout);
            var norm = ResNet.Norm(outChannels);
            register_module($"conv{i + 1}", conv);
            register_module($"bn{i + 1}", norm);
            _layers[i] = (conv, layout, norm);
        }
        if (plan.Downsample)
        {
            _downsample = nn.Sequential(ResNet.Conv(plan.InChannels, plan.OutChannels, plan.DownsampleLayout), ResNet.Norm(plan.OutChannels));
            register_module("downsample", _downsample);
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            var (conv, layout, norm) = _layers[i];
            x = norm.forward(ResNet.Run(conv, layout, x));
            if (i < _layers.Length - 1) x = nn.functional.relu(x);
        }
        var shortcut = _downsample is null ? input : _downsample.forward(input);
        return nn.functional.relu(x.add_(shortcut)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// torchvision's BasicBlock: two 3x3 convolutions, the first carrying the stride (and, in a dilated stage's first block,
/// the previous dilation).
/// </summary>
internal sealed class BasicBlock(BlockPlan plan, ResNetPadding padding) : ResidualBlock(nameof(BasicBlock), plan, Convs(plan, padding))
{
    /// <summary>conv1 (3x3, the block's stride) and conv2 (3x3).</summary>
    public static IReadOnlyList<(int In, int Out, ConvLayout Layout)> Convs(BlockPlan plan, ResNetPadding padding) =>
    [
        (plan.InChannels, plan.Planes, ResNet.Conv3x3(plan.Stride, plan.FirstDilation, padding)),
        (plan.Planes, plan.OutChannels, ResNet.Conv3x3(1, plan.Dilation, padding)),
    ];
}

/// <summary>torchvision's Bottleneck (v1.5: the stride on the 3x3 convolution), with optional dilation.</summary>
internal sealed class Bottleneck(BlockPlan plan, ResNetPadding padding) : ResidualBlock(nameof(Bottleneck), plan, Convs(plan, padding))
{
    /// <summary>conv1 (1x1), conv2 (3x3, the block's stride) and conv3 (1x1, to planes x 4 channels).</summary>
    public static IReadOnlyList<(int In, int Out, ConvLayout Layout)> Convs(BlockPlan plan, ResNetPadding padding) =>
    [
        (plan.InChannels, plan.Planes, ResNet.Conv1x1(1)),
        (plan.Planes, plan.Planes, ResNet.Conv3x3(plan.Stride, plan.FirstDilation, padding)),
        (plan.Planes, plan.OutChannels, ResNet.Conv1x1(1)),
    ];
}
