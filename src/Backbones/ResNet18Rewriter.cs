using LpCam.MLNet.Onnx;
using Onnx;

namespace LpCam.MLNet.Backbones;

/// <summary>
/// Rewrites the ImageNet ResNet-18 of <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (CNTK export, opset 8) in memory
/// into a feature extractor: RGB pixels 0..255 of any size in, the 512-channel last-stage map out.
/// </summary>
/// <remarks>
/// <para>Edits (the package files are only read):</para>
/// <list type="number">
/// <item>The final global AveragePool is removed; <see cref="OutputName"/> (the last ReLU, 512 channels) becomes the only
/// output, declared with the shape [batch, 512, feature_height, feature_width] because ML.NET needs shapes on outputs.</item>
/// <item>The input is renamed <see cref="InputName"/> with dims [batch, 3, height, width].</item>
/// <item>The package's preprocessing graph (RGB to BGR, minus a 224 x 224 mean image) is folded in: one Sub node subtracts
/// the per-channel means of that mean image (in RGB order), and the input channels of the first convolution's weights
/// are reversed, which is the same as feeding it B, G, R planes. A per-channel mean is what works at every image size.
/// The mean image varies around its channel means (standard deviation 3-6 grey levels, range about 20), so at
/// 224 x 224 the result differs slightly from the package's two graphs in sequence (pooled features: cosine above 0.99).</item>
/// <item>Output stride 16 (optional): the last stage's first 3x3 convolution and its 1x1 shortcut get stride 1, that 3x3
/// convolution gets symmetric pads 1/1/1/1, and every later 3x3 convolution of the stage gets dilation 2 with pads 2.
/// The frozen network then reproduces the stride-32 map at even positions and interpolates between them.</item>
/// </list>
/// <para>The CNTK export pads its stride-2 convolutions asymmetrically, so the residual additions need even sizes at every
/// stage: inputs are padded bottom/right to a multiple of <see cref="PadMultiple"/> with the mean pixel (zero after the
/// mean subtraction), and the map is cropped back to ceil(H / stride) x ceil(W / stride) by <see cref="OnnxBackbone"/>.
/// The 32-pixel multiple is kept at stride 16 too, so that both strides see identical padded inputs.</para>
/// </remarks>
public static class ResNet18Rewriter
{
    /// <summary>Input of the rewritten model: planar RGB pixels 0..255, [batch, 3, height, width].</summary>
    public const string InputName = "ImageRgb255";

    /// <summary>Output of the rewritten model: the 512-channel map after the last ReLU, [batch, 512, h, w].</summary>
    public const string OutputName = "ReLU393_Output_0";

    /// <summary>Input of the package's ResNet18.onnx: B, G, R planes minus the mean image, [1, 3, 224, 224].</summary>
    public const string OriginalInputName = "Input247";

    /// <summary>Output of the package's ResNet18.onnx: the globally pooled 512 features, [1, 512, 1, 1].</summary>
    public const string OriginalPooledOutputName = "Pooling395_Output_0";

    /// <summary>Channels of the feature map.</summary>
    public const int FeatureDim = 512;

    /// <summary>Images are padded bottom/right to a multiple of this many pixels.</summary>
    public const int PadMultiple = 32;

    internal const string MeanInitializerName = "LpCamPixelMeanRgb";
    private const string CenteredName = "LpCamPixelsMinusMean";

    /// <summary>
    /// Per-channel means (B, G, R order, 0..255) of the 224 x 224 mean image in the package's ResNetPreprocess.onnx.
    /// </summary>
    /// <param name="preprocessPath">The preprocessing model; default <see cref="PretrainedModels.ResNetPreprocessOnnxPath"/>.</param>
    /// <exception cref="InvalidDataException">The model has no [1, 3, H, W] float initializer.</exception>
    public static float[] ChannelMeansBgr(string? preprocessPath = null)
    {
        var model = OnnxGraphEdits.Parse(File.ReadAllBytes(preprocessPath ?? PretrainedModels.ResNetPreprocessOnnxPath));
        var mean = model.Graph.Initializer.FirstOrDefault(t => t.Dims.Count == 4 && t.Dims[0] == 1 && t.Dims[1] == 3)
            ?? throw new InvalidDataException("The preprocessing model has no [1, 3, H, W] mean-image initializer.");
        float[] values = OnnxGraphEdits.ReadFloats(mean);
        int plane = (int)(mean.Dims[2] * mean.Dims[3]);
        var means = new float[3];
        for (int c = 0; c < 3; c++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += values[c * plane + i];
            means[c] = (float)(sum / plane);
        }
        return means;
    }

    /// <summary>Rewrites the pretrained ResNet-18 (see the remarks of <see cref="ResNet18Rewriter"/>).</summary>
    /// <param name="outputStride">32 (as trained) or 16 (last stage dilated).</param>
    /// <param name="modelPath">ResNet18.onnx; default <see cref="PretrainedModels.ResNet18OnnxPath"/>.</param>
    /// <param name="preprocessPath">ResNetPreprocess.onnx; default <see cref="PretrainedModels.ResNetPreprocessOnnxPath"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputStride"/> is not 16 or 32.</exception>
    /// <exception cref="InvalidDataException">The model is not the expected CNTK ResNet-18 export.</exception>
    public static BackboneOnnxModel Rewrite(int outputStride = 32, string? modelPath = null, string? preprocessPath = null)
    {
        if (outputStride is not (16 or 32))
            throw new ArgumentOutOfRangeException(nameof(outputStride), outputStride, "The ResNet-18 output stride must be 16 or 32.");
        float[] meanBgr = ChannelMeansBgr(preprocessPath);
        float[] meanRgb = [meanBgr[2], meanBgr[1], meanBgr[0]];
        var model = OnnxGraphEdits.Parse(File.ReadAllBytes(modelPath ?? PretrainedModels.ResNet18OnnxPath));
        var graph = model.Graph;
        if (!graph.Input.Any(i => i.Name == OriginalInputName) || !graph.Node.Any(n => n.Output.Contains(OutputName)))
            throw new InvalidDataException(
                $"Not the CNTK ResNet-18 export: expected input '{OriginalInputName}' and tensor '{OutputName}'.");

        OnnxGraphEdits.TruncateAt(graph, OutputName,
            OnnxGraphEdits.TensorInfo(OutputName, OnnxGraphEdits.FloatType, "batch", FeatureDim, "feature_height", "feature_width"));
        FoldPreprocessing(graph, meanRgb);
        if (outputStride == 16) DilateLastStage(graph);

        model.ProducerName = "LpCam.MLNet";
        model.DocString = $"ImageNet ResNet-18 (Microsoft.ML.DnnImageFeaturizer.ResNet18, CNTK export) rewritten by LpCam.MLNet: " +
            $"input {InputName} RGB 0..255 [batch,3,height,width], output {OutputName} [batch,512,h,w], stride {outputStride}.";
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.name", $"resnet18-os{outputStride}");
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.input", InputName);
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.output", OutputName);
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.feature_dim", FeatureDim.ToString(System.Globalization.CultureInfo.InvariantCulture));
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.stride", outputStride.ToString(System.Globalization.CultureInfo.InvariantCulture));
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.pad_multiple", PadMultiple.ToString(System.Globalization.CultureInfo.InvariantCulture));

        return new BackboneOnnxModel($"resnet18-os{outputStride}", OnnxGraphEdits.Serialize(model), InputName, OutputName,
            FeatureDim, outputStride, PadMultiple, PixelNormalization.Identity, meanRgb, head: null);
    }

    /// <summary>
    /// Options that load a saved rewritten (or fine-tuned, <see cref="BackboneOnnxModel.Save"/>) ResNet-18 file with
    /// <see cref="Backbone.FromOnnx(string, OnnxBackboneOptions)"/> as it was built: RGB 0..255 input
    /// (<see cref="PixelNormalization.Identity"/>, the mean subtraction is inside the graph), padding with the folded
    /// pixel mean to the stored multiple, and the stored input, output and stride. Null when the file does not carry the
    /// <c>lpcam.backbone.*</c> metadata that <see cref="Rewrite"/> writes (a foreign model).
    /// </summary>
    /// <param name="path">The ONNX file.</param>
    /// <param name="featureTensorName">The tensor to read; null: the stored output (<see cref="OutputName"/>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static OnnxBackboneOptions? SavedModelOptions(string path, string? featureTensorName = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file not found: '{path}'.", path);
        var model = OnnxGraphEdits.Parse(File.ReadAllBytes(path));
        var meta = OnnxGraphEdits.Metadata(model);
        var mean = model.Graph.Initializer.FirstOrDefault(t => t.Name == MeanInitializerName);
        if (!meta.TryGetValue("lpcam.backbone.input", out var input) || !meta.TryGetValue("lpcam.backbone.output", out var output) ||
            !meta.TryGetValue("lpcam.backbone.stride", out var strideText) || mean is null)
            return null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        int stride = int.Parse(strideText, inv);
        int pad = meta.TryGetValue("lpcam.backbone.pad_multiple", out var padText) ? int.Parse(padText, inv) : PadMultiple;
        string tensor = featureTensorName ?? output;
        return new OnnxBackboneOptions(tensor)
        {
            InputName = input,
            Normalization = PixelNormalization.Identity,
            Stride = tensor == output ? stride : null,
            PadMultiple = pad,
            PadPixelRgb = OnnxGraphEdits.ReadFloats(mean),
            Name = meta.TryGetValue("lpcam.backbone.name", out var name) ? name : null,
        };
    }

    private static void FoldPreprocessing(GraphProto graph, float[] meanRgb)
    {
        var consumers = graph.Node.Where(n => n.Input.Contains(OriginalInputName)).ToList();
        if (consumers.Count != 1 || consumers[0].OpType != "Conv")
            throw new InvalidDataException($"Expected '{OriginalInputName}' to feed exactly one Conv node.");
        var stem = consumers[0];
        var weights = graph.Initializer.FirstOrDefault(t => t.Name == stem.Input[1]);
        if (weights == null || weights.Dims.Count != 4 || weights.Dims[1] != 3)
            throw new InvalidDataException("The first convolution's weights are not a [out, 3, kh, kw] initializer.");

        // Reverse the input channels of the stem weights: the convolution then reads R, G, B as the original read B, G, R.
        float[] w = OnnxGraphEdits.ReadFloats(weights);
        int outChannels = (int)weights.Dims[0], kernel = (int)(weights.Dims[2] * weights.Dims[3]);
        var swapped = new float[w.Length];
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < 3; c++)
                Array.Copy(w, (o * 3 + (2 - c)) * kernel, swapped, (o * 3 + c) * kernel, kernel);
        OnnxGraphEdits.WriteFloats(weights, swapped);

        graph.Initializer.Add(OnnxGraphEdits.FloatInitializer(MeanInitializerName, [1, 3, 1, 1], meanRgb));
        var sub = new NodeProto { Name = "LpCamSubtractMean", OpType = "Sub" };
        sub.Input.Add(InputName);
        sub.Input.Add(MeanInitializerName);
        sub.Output.Add(CenteredName);
        graph.Node.Insert(0, sub);
        stem.Input[0] = CenteredName;

        graph.Input.Clear();
        graph.Input.Add(OnnxGraphEdits.TensorInfo(InputName, OnnxGraphEdits.FloatType, "batch", 3, "height", "width"));
    }

    private static void DilateLastStage(GraphProto graph)
    {
        static bool IsStride2(NodeProto n) => n.OpType == "Conv" && OnnxGraphEdits.GetInts(n, "strides", 1, 1).All(s => s == 2);
        static bool Kernel(NodeProto n, int k) => OnnxGraphEdits.GetInts(n, "kernel_shape").All(v => v == k);
        int firstConv = -1, shortcut = -1;
        for (int i = 0; i < graph.Node.Count; i++)
        {
            if (!IsStride2(graph.Node[i])) continue;
            if (Kernel(graph.Node[i], 3)) firstConv = i;
            else if (Kernel(graph.Node[i], 1)) shortcut = i;
        }
        if (firstConv < 0 || shortcut < 0)
            throw new InvalidDataException("Could not find the last stage's stride-2 3x3 convolution and 1x1 shortcut.");

        OnnxGraphEdits.SetInts(graph.Node[shortcut], "strides", 1, 1);
        OnnxGraphEdits.SetInts(graph.Node[firstConv], "strides", 1, 1);
        OnnxGraphEdits.SetInts(graph.Node[firstConv], "pads", 1, 1, 1, 1);
        for (int i = firstConv + 1; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.OpType != "Conv" || !Kernel(node, 3)) continue;
            OnnxGraphEdits.SetInts(node, "dilations", 2, 2);
            OnnxGraphEdits.SetInts(node, "pads", 2, 2, 2, 2);
        }
    }
}
