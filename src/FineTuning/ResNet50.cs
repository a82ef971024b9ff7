using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// torchvision's ResNet-50 as a <see cref="ResNet"/>: <see cref="ResNetBlock.Bottleneck"/> blocks 3-4-6-3 (2048 output
/// channels), <see cref="ResNetPadding.Torchvision"/> padding, in the layout of the reference classifier recipe: output
/// stride 16 (layer4 at stride 1, its later 3x3 convolutions dilated by 2, as torchvision's
/// <c>replace_stride_with_dilation=[False, False, True]</c>) or 32 (as trained). Weights come from a PyTorch state_dict
/// (<see cref="FromStateDict"/>).
/// </summary>
/// <remarks>
/// <para>Input: ImageNet-normalised images [N, 3, H, W] (RGB, (x / 255 - mean) / std, mean 0.485, 0.456, 0.406, std
/// 0.229, 0.224, 0.225, as torchvision trains it); no pixel mean is subtracted by the module. Output: the map after
/// layer4 [N, 2048, H / stride, W / stride] for H and W multiples of 32.</para>
/// <para>The classifier <c>fc</c> is not part of the module (its keys in a state_dict are ignored).</para>
/// <para>Fine-tune it with <see cref="FineTuner.ForResNet50"/>; export it to ONNX (for inference on ONNX Runtime) with
/// <see cref="ResNet50Onnx.Export"/>.</para>
/// </remarks>
public static class ResNet50
{
    /// <summary>The family's name, <see cref="ResNet.Architecture"/> of the networks made here.</summary>
    public const string Architecture = "resnet50";

    /// <summary>Bottleneck blocks per stage: 3, 4, 6, 3.</summary>
    public static IReadOnlyList<int> BlocksPerStage { get; } = [3, 4, 6, 3];

    /// <summary>Prefix of the classifier keys of a torchvision state_dict, which are ignored.</summary>
    public const string ClassifierPrefix = "fc.";

    /// <summary>Creates a ResNet-50 with random weights (PyTorch's default initialisation).</summary>
    /// <param name="outputStride">16 (layer4 dilated, the recipe) or 32.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputStride"/> is not 16 or 32.</exception>
    public static ResNet Create(int outputStride = 16) =>
        new(ResNetBlock.Bottleneck, BlocksPerStage, outputStride, ResNetPadding.Torchvision, pixelMeanRgb: null, Architecture);

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
    public static ResNet FromStateDict(string path, int outputStride = 16)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"State dict file not found: '{path}'.", path);
        var net = Create(outputStride);
        try
        {
            var loaded = ReadStateDict(path);
            try
            {
                Load(net, loaded, Path.GetFileName(path));
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

    private static void Load(ResNet net, IReadOnlyDictionary<string, Tensor> loaded, string file)
    {
        var own = net.state_dict();
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
}
