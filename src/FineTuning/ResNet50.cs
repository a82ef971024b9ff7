using System.Collections;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// torchvision's ResNet-50 (Bottleneck blocks 3-4-6-3, 2048 output channels) as a TorchSharp feature extractor, in the
/// layout of the reference classifier recipe: output stride 16 (layer4 at stride 1, its later 3x3 convolutions dilated
/// by 2, as torchvision's <c>replace_stride_with_dilation=[False, False, True]</c>) or 32 (as trained). Weights come from
/// a PyTorch state_dict (<see cref="FromStateDict"/>).
/// </summary>
/// <remarks>
/// <para>Input: ImageNet-normalised images [N, 3, H, W] (RGB, (x / 255 - mean) / std, mean 0.485, 0.456, 0.406, std
/// 0.229, 0.224, 0.225, as torchvision trains it); output: the map after layer4 [N, 2048, H / stride, W / stride] for H
/// and W multiples of 32. Padding is torchvision's (symmetric), unlike the CNTK-layout <see cref="ResNet18"/>.</para>
/// <para>Parameter and buffer names are torchvision's (<c>conv1.weight</c>, <c>bn1.running_mean</c>,
/// <c>layer1.0.conv1.weight</c>, <c>layer1.0.downsample.0.weight</c>, <c>layer4.2.bn3.num_batches_tracked</c>, ...);
/// the classifier <c>fc</c> is not part of the module (its keys in a state_dict are ignored).</para>
/// <para>Fine-tune it with <see cref="FineTuner.ForResNet50"/>; export it to ONNX (for inference on ONNX Runtime) with
/// <see cref="ResNet50Onnx.Export"/>.</para>
/// </remarks>
public sealed class ResNet50 : nn.Module<Tensor, Tensor>
{
    /// <summary>Bottleneck blocks per stage: 3, 4, 6, 3.</summary>
    public static IReadOnlyList<int> BlocksPerStage { get; } = [3, 4, 6, 3];

    /// <summary>BatchNorm epsilon (torchvision's default).</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>Prefix of the classifier keys of a torchvision state_dict, which are ignored.</summary>
    public const string ClassifierPrefix = "fc.";

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;

    /// <summary>Creates a ResNet-50 with random weights (PyTorch's default initialisation).</summary>
    /// <param name="outputStride">16 (layer4 dilated, the recipe) or 32.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputStride"/> is not 16 or 32.</exception>
    public ResNet50(int outputStride = 16) : base(nameof(ResNet50))
    {
        if (outputStride is not (16 or 32))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "The ResNet-50 output stride must be 16 or 32.");
        OutputStride = outputStride;
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = nn.BatchNorm2d(64, eps: BatchNormEpsilon);
        bool os16 = outputStride == 16;
        layer1 = Stage(64, 64, BlocksPerStage[0], stride: 1, dilate: false);
        layer2 = Stage(256, 128, BlocksPerStage[1], stride: 2, dilate: false);
        layer3 = Stage(512, 256, BlocksPerStage[2], stride: 2, dilate: false);
        layer4 = Stage(1024, 512, BlocksPerStage[3], stride: os16 ? 1 : 2, dilate: os16);
        RegisterComponents();
    }

    /// <summary>16 or 32.</summary>
    public int OutputStride { get; }

    /// <summary>Channels of the feature map (2048).</summary>
    public int FeatureDim => 2048;

    /// <summary>The stem (conv1 and bn1), which the recipe keeps frozen.</summary>
    public IEnumerable<Parameter> StemParameters => conv1.parameters().Concat(bn1.parameters());

    /// <summary>Feature maps [N, 2048, H / stride, W / stride] of ImageNet-normalised images [N, 3, H, W].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.forward(conv1.forward(input)));
        x = nn.functional.max_pool2d(x, 3, 2, 1);
        x = layer1.forward(x);
        x = layer2.forward(x);
        x = layer3.forward(x);
        x = layer4.forward(x);
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Builds a ResNet-50 and loads a PyTorch state_dict of torchvision's <c>resnet50</c> into it (in eval mode): a
    /// <c>torch.save(model.state_dict(), path)</c> file (zip format, read with TorchSharp.PyBridge's unpickler; .pt, .pth,
    /// .bin) or a <c>.safetensors</c> file. Keys starting with <see cref="ClassifierPrefix"/> are ignored.
    /// </summary>
    /// <param name="path">The state_dict file.</param>
    /// <param name="outputStride">16 (the recipe) or 32; the weights are the same for both.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file lacks some of the module's keys, has keys the module does not have
    /// (both listed in the message), or a tensor of the wrong shape.</exception>
    public static ResNet50 FromStateDict(string path, int outputStride = 16)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"State dict file not found: '{path}'.", path);
        var net = new ResNet50(outputStride);
        try
        {
            var loaded = ReadStateDict(path);
            try
            {
                net.Load(loaded, Path.GetFileName(path));
            }
            finally
            {
                foreach (var t in loaded.Values) t.Dispose();
            }
        }
        catch
        {
            net.Dispose();
            throw;
        }
        net.eval();
        return net;
    }

    /// <summary>Reads a state_dict file (PyTorch zip/pickle or safetensors) into name -> tensor (CPU).</summary>
    /// <exception cref="InvalidDataException">The file is not a readable state_dict.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"State dict file not found: '{path}'.", path);
        try
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                return new Dictionary<string, Tensor>(Safetensors.LoadStateDict(path), StringComparer.Ordinal);
            var table = PyTorchUnpickler.UnpickleStateDict(path);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (DictionaryEntry e in table)
                if (e.Key is string key && e.Value is Tensor t) result[key] = t;
            return result;
        }
        catch (Exception e) when (e is not (FileNotFoundException or InvalidDataException))
        {
            throw new InvalidDataException($"'{Path.GetFileName(path)}' is not a readable PyTorch state_dict (torch.save zip format or safetensors): {e.Message}", e);
        }
    }

    private void Load(IReadOnlyDictionary<string, Tensor> loaded, string file)
    {
        var own = state_dict();
        var relevant = loaded.Keys.Where(k => !k.StartsWith(ClassifierPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        // num_batches_tracked only counts training steps; files without it (older PyTorch) load fine.
        var missing = own.Keys.Where(k => !relevant.Contains(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = relevant.Where(k => !own.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"'{file}' is not a torchvision ResNet-50 state_dict: " +
                (missing.Count > 0 ? $"{missing.Count} missing key(s): {Names(missing)}" : "") +
                (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                (unexpected.Count > 0 ? $"{unexpected.Count} unexpected key(s): {Names(unexpected)}" : "") + ".");
        using var _ = no_grad();
        foreach (var key in relevant)
        {
            var target = own[key];
            var source = loaded[key];
            if (!target.shape.SequenceEqual(source.shape))
                throw new InvalidDataException($"'{file}': '{key}' has shape [{string.Join(", ", source.shape)}]; the module needs [{string.Join(", ", target.shape)}].");
            target.copy_(source.to(target.dtype));
        }
    }

    private static string Names(IReadOnlyList<string> keys) =>
        string.Join(", ", keys.Take(20)) + (keys.Count > 20 ? $", ... ({keys.Count - 20} more)" : "");

    private static Sequential Stage(int inChannels, int planes, int blocks, int stride, bool dilate)
    {
        // torchvision: with dilation the first block keeps the previous dilation (1) at stride 1; the later ones use 2.
        int dilation = dilate ? 2 : 1;
        var list = new List<nn.Module<Tensor, Tensor>> { new Bottleneck(inChannels, planes, stride, 1, downsample: stride != 1 || inChannels != planes * 4) };
        for (int b = 1; b < blocks; b++) list.Add(new Bottleneck(planes * 4, planes, 1, dilation, downsample: false));
        return nn.Sequential(list);
    }
}

/// <summary>torchvision's Bottleneck (v1.5: the stride on the 3x3 convolution), with optional dilation.</summary>
internal sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;

    public Bottleneck(int inChannels, int planes, int stride, int dilation, bool downsample) : base(nameof(Bottleneck))
    {
        int outChannels = planes * 4;
        conv1 = nn.Conv2d(inChannels, planes, 1, bias: false);
        bn1 = nn.BatchNorm2d(planes, eps: ResNet50.BatchNormEpsilon);
        conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = nn.BatchNorm2d(planes, eps: ResNet50.BatchNormEpsilon);
        conv3 = nn.Conv2d(planes, outChannels, 1, bias: false);
        bn3 = nn.BatchNorm2d(outChannels, eps: ResNet50.BatchNormEpsilon);
        if (downsample)
            this.downsample = nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), nn.BatchNorm2d(outChannels, eps: ResNet50.BatchNormEpsilon));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.forward(conv1.forward(input)));
        x = nn.functional.relu(bn2.forward(conv2.forward(x)));
        x = bn3.forward(conv3.forward(x));
        var shortcut = downsample is null ? input : downsample.forward(input);
        return nn.functional.relu(x.add_(shortcut)).MoveToOuterDisposeScope();
    }
}
