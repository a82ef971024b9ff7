using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Onnx;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Writes a (fine-tuned) <see cref="ResNet18"/> network (a <see cref="ResNet"/>) back into a copy of the rewritten ONNX ResNet-18, so that inference
/// (<see cref="OnnxBackbone"/>, CamFeaturizer's graph, ML.NET's <c>ApplyOnnxModel</c>) runs the fine-tuned
/// network on ONNX Runtime.
/// </summary>
/// <remarks>
/// Only the initializers of the matched Conv and BatchNormalization nodes are replaced (convolution weights, BN scale,
/// bias, running mean and variance; see <see cref="OnnxWeightMap"/>); nodes, attributes, names and metadata keys stay,
/// so the result is a drop-in replacement of the template.
/// </remarks>
public static class OnnxWriteBack
{
    /// <summary>Returns a copy of <paramref name="template"/> carrying the weights of <paramref name="network"/>.</summary>
    /// <param name="network">The module, in <see cref="ResNet18"/>'s layout (<see cref="ResNet18.HasLayout"/>); its output
    /// stride must equal the template's.</param>
    /// <param name="template">The rewritten model the module was loaded from (<see cref="ResNet18Rewriter.Rewrite"/>).</param>
    /// <param name="head">The classifier to attach as <see cref="BackboneOnnxModel.Head"/> (for example the fine-tuned one).</param>
    /// <param name="name">The new model's name; default: the template's name plus <c>-finetuned</c>.</param>
    /// <exception cref="ArgumentException">The network is not in the ResNet-18 layout, or the strides or pixel means differ.</exception>
    /// <exception cref="InvalidDataException">The template is not the rewritten ResNet-18.</exception>
    public static BackboneOnnxModel Write(ResNet network, BackboneOnnxModel template, ClassifierHead? head = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(template);
        if (!ResNet18.HasLayout(network))
            throw new ArgumentException($"The network ({network.Architecture}, {network.Block} blocks {string.Join("-", network.BlocksPerStage)}, {network.Padding} padding) is not in the CNTK ResNet-18 layout that the template has.", nameof(network));
        if (network.OutputStride != template.Stride)
            throw new ArgumentException($"The module has output stride {network.OutputStride}; the template '{template.Name}' has {template.Stride}.", nameof(template));
        if (head is not null && head.FeatureDim != template.FeatureDim)
            throw new ArgumentException($"The head has D = {head.FeatureDim}; the backbone gives {template.FeatureDim}.", nameof(head));
        using var scope = NewDisposeScope();
        var model = OnnxGraphEdits.Parse(template.BytesArray);
        var map = OnnxWeightMap.Build(model.Graph, template.Stride);
        if (!map.PixelMeanRgb.Zip(network.PixelMeanRgb!, (a, b) => Math.Abs(a - b) < 1e-4f).All(x => x))
            throw new ArgumentException("The module's pixel means differ from the template's.", nameof(network));
        var tensors = network.state_dict();
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var (tensorName, initializer) in map.Entries)
        {
            var values = tensors[tensorName].detach().cpu().contiguous().data<float>().ToArray();
            var target = initializers[initializer];
            long count = target.Dims.Aggregate(1L, (a, d) => a * d);
            if (values.Length != count)
                throw new InvalidDataException($"'{tensorName}' has {values.Length} values; initializer '{initializer}' holds {count}.");
            OnnxGraphEdits.WriteFloats(target, values);
        }
        string newName = name ?? template.Name + "-finetuned";
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.name", newName);
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.finetuned", "true");
        if (head is not null)
            foreach (var (key, value) in BackboneHeadMetadata.Entries(head)) OnnxGraphEdits.SetMetadata(model, key, value);
        return new BackboneOnnxModel(newName, OnnxGraphEdits.Serialize(model), template.InputName, template.OutputName, template.FeatureDim,
            template.Stride, template.PadMultiple, template.Normalization, template.PadPixelRgb, head);
    }
}
