using LpCam.MLNet.Onnx;
using LpCam.MLNet.Engine.Classifier;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace LpCam.MLNet.Backbones;

/// <summary>
/// Turns a user ONNX model into a feature extractor: cuts the graph at the named tensor (which becomes the only output),
/// makes the input size symbolic, checks the tensor with a probe run, and reads the optional classifier head.
/// </summary>
internal static class OnnxFeatureModelLoader
{
    private const int ProbeSize = 224;
    private const int MaxListedNames = 200;

    public static OnnxBackbone Load(string path, OnnxBackboneOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model file not found: '{path}'.", path);
        if (options.Stride is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Stride, "Stride must be at least 1.");
        if (options.PadMultiple is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.PadMultiple, "PadMultiple must be at least 1.");
        if (options.PadPixelRgb is { Count: not 3 })
            throw new ArgumentException($"PadPixelRgb must hold 3 values, got {options.PadPixelRgb.Count}.", nameof(options));

        var model = OnnxGraphEdits.Parse(File.ReadAllBytes(path));
        var graph = model.Graph;
        string file = Path.GetFileName(path), tensor = options.FeatureTensorName;
        var input = FindInput(graph, options.InputName, file);
        var head = options.ClassifierWeightsName is { } headName
            ? ReadHead(graph, headName, file)
            : ReadMetadataHead(model, file);

        var producers = graph.Node.SelectMany(n => n.Output).Concat(graph.Input.Select(i => i.Name)).ToHashSet();
        if (!producers.Contains(tensor))
            throw new ArgumentException(
                $"Tensor '{tensor}' was not found in '{file}'. Available tensors: {ListNames(graph.Node.SelectMany(n => n.Output).Where(n => n.Length > 0))}.",
                nameof(options));
        if (OnnxGraphEdits.DeclaredElemType(graph, tensor) is int elem && elem != OnnxGraphEdits.FloatType)
            throw new ArgumentException(
                $"Tensor '{tensor}' of '{file}' has element type {(TensorProto.Types.DataType)elem}; a feature map must be Float.", nameof(options));

        int[] fixedDims = (input.Type?.TensorType?.Shape?.Dim ?? []).Select(d => d.DimValue > 0 ? (int)d.DimValue : -1).ToArray();
        if (fixedDims.Length is not (0 or 4))
            throw new ArgumentException($"Input '{input.Name}' of '{file}' has rank {fixedDims.Length}; expected a 4-D image input [N, 3, H, W].", nameof(options));
        if (fixedDims.Length == 4 && fixedDims[1] is not (-1 or 3))
            throw new ArgumentException($"Input '{input.Name}' of '{file}' has {fixedDims[1]} channels; expected 3.", nameof(options));

        OnnxGraphEdits.TruncateAt(graph, tensor, OnnxGraphEdits.TensorInfo(tensor, OnnxGraphEdits.FloatType, dims: null));
        if (options.SymbolicInputSize) OnnxGraphEdits.MakeImageDimsSymbolic(graph.Input.Single(i => i.Name == input.Name));
        string name = options.Name ?? $"{Path.GetFileNameWithoutExtension(path)}:{tensor}";
        var producer = graph.Node.LastOrDefault(); // topological order: the tensor's producer comes after all its ancestors
        options.Log?.Invoke(producer == null
            ? $"{name}: feature tensor '{tensor}' is the model input itself."
            : $"{name}: feature node '{producer.Name}' ({producer.OpType}) outputs '{tensor}'; {graph.Node.Count} nodes kept.");

        OnnxSessionHandle handle;
        try
        {
            handle = OnnxSessionHandle.Create(OnnxGraphEdits.Serialize(model), options.GpuDeviceId, options.Log, name);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ArgumentException($"'{file}' cut at tensor '{tensor}' could not be loaded by ONNX Runtime " +
                $"(is '{tensor}' a float tensor?): {ex.Message}", nameof(options), ex);
        }
        try
        {
            var meta = handle.Session.OutputMetadata[tensor];
            if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
                throw new ArgumentException($"Tensor '{tensor}' of '{file}' is {meta.ElementDataType}; a feature map must be Float.", nameof(options));

            // Probe: a zero (mean-grey) input gives the rank, D and, unless given, the stride.
            bool symbolic = options.SymbolicInputSize || fixedDims.Length == 0;
            int probeMultiple = options.PadMultiple ?? options.Stride ?? 32;
            int probeH = !symbolic && fixedDims[2] > 0 ? fixedDims[2] : FeatureGrid.Padded(ProbeSize, probeMultiple);
            int probeW = !symbolic && fixedDims[3] > 0 ? fixedDims[3] : FeatureGrid.Padded(ProbeSize, probeMultiple);
            long[] shape = Probe(handle.Session, input.Name, tensor, probeH, probeW);
            if (shape.Length != 4)
                throw new ArgumentException(
                    $"Tensor '{tensor}' of '{file}' has rank {shape.Length} (shape [{string.Join(", ", shape)}]); a feature map must be 4-D [N, D, h, w].",
                    nameof(options));
            int d = (int)shape[1];
            int stride = options.Stride ?? InferStride(probeH, probeW, shape, tensor, file);
            if (head != null && head.FeatureDim != d)
                throw new ArgumentException(
                    $"Classifier weights '{head.SourceName}' have {head.FeatureDim} inputs but tensor '{tensor}' has {d} channels.", nameof(options));

            graph.Output[0] = OnnxGraphEdits.TensorInfo(tensor, OnnxGraphEdits.FloatType, "batch", d, "feature_height", "feature_width");
            OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.name", name);
            OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.stride", stride.ToString(System.Globalization.CultureInfo.InvariantCulture));
            options.Log?.Invoke($"{name}: feature map {d} channels, stride {stride} (probe {probeH}x{probeW} -> {shape[2]}x{shape[3]}).");
            var normalization = options.Normalization ?? PixelNormalization.Identity;
            var backboneModel = new BackboneOnnxModel(name, OnnxGraphEdits.Serialize(model), input.Name, tensor, d, stride,
                options.PadMultiple ?? stride, normalization, options.PadPixelRgb ?? normalization.ZeroPixelRgb, head);
            return new OnnxBackbone(backboneModel, handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static ValueInfoProto FindInput(GraphProto graph, string? inputName, string file)
    {
        var inputs = OnnxGraphEdits.RealInputs(graph);
        if (inputName == null)
        {
            if (inputs.Count != 1)
                throw new ArgumentException(
                    $"'{file}' has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}); set InputName to the image input.", "options");
            return inputs[0];
        }
        return inputs.FirstOrDefault(i => i.Name == inputName) ?? throw new ArgumentException(
            $"Input '{inputName}' was not found in '{file}'. Available inputs: {string.Join(", ", inputs.Select(i => $"'{i.Name}'"))}.", "options");
    }

    private static ClassifierHead? ReadMetadataHead(ModelProto model, string file)
    {
        var meta = OnnxGraphEdits.Metadata(model);
        try
        {
            return BackboneHeadMetadata.Read(meta, file);
        }
        catch (InvalidDataException e)
        {
            throw new ArgumentException(e.Message, "options", e);
        }
    }

    private static ClassifierHead ReadHead(GraphProto graph, string name, string file)
    {
        var init = graph.Initializer.FirstOrDefault(t => t.Name == name);
        if (init == null)
        {
            var candidates = graph.Initializer.Where(t => t.Dims.Count == 2 || (t.Dims.Count == 4 && t.Dims[2] == 1 && t.Dims[3] == 1))
                .Select(t => t.Name);
            throw new ArgumentException(
                $"Classifier weights '{name}' are not an initializer of '{file}'. Candidates of shape [C, D] or [C, D, 1, 1]: {ListNames(candidates)}.", "options");
        }
        bool ok = init.Dims.Count == 2 || (init.Dims.Count == 4 && init.Dims[2] == 1 && init.Dims[3] == 1);
        if (!ok)
            throw new ArgumentException(
                $"Classifier weights '{name}' of '{file}' have shape [{string.Join(", ", init.Dims)}]; expected [C, D] or [C, D, 1, 1].", "options");
        float[] weights;
        try { weights = OnnxGraphEdits.ReadFloats(init); }
        catch (InvalidDataException ex) { throw new ArgumentException(ex.Message, "options", ex); }
        return new ClassifierHead((int)init.Dims[0], (int)init.Dims[1], weights) { SourceName = name };
    }

    private static long[] Probe(InferenceSession session, string inputName, string tensor, int h, int w)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(new float[3 * h * w], [1, 3, h, w]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new Dictionary<string, OrtValue> { [inputName] = input }, [tensor]);
        return outputs[0].GetTensorTypeAndShape().Shape;
    }

    private static int InferStride(int probeH, int probeW, long[] shape, string tensor, string file)
    {
        if (shape[2] > 0 && shape[3] > 0 && probeH % shape[2] == 0 && probeW % shape[3] == 0 && probeH / shape[2] == probeW / shape[3])
            return (int)(probeH / shape[2]);
        throw new ArgumentException(
            $"Could not infer the stride of tensor '{tensor}' of '{file}': a {probeH}x{probeW} probe gave a {shape[2]}x{shape[3]} map. Set Stride.", "options");
    }

    private static string ListNames(IEnumerable<string> names)
    {
        var list = names.ToList();
        string shown = string.Join(", ", list.Take(MaxListedNames).Select(n => $"'{n}'"));
        return list.Count > MaxListedNames ? $"{shown}, ... ({list.Count} in all)" : shown;
    }
}
