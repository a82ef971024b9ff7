using System.Globalization;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Images;
using LpCam.MLNet.Onnx;
using LpCam.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;

namespace LpCam.MLNet.Estimators;

/// <summary>
/// Images -> backbone feature maps, class scores and CAMs. Fit runs the backbone over the training images once, trains the
/// multi-label CAM head (global average pooling + a bias-free linear layer, multilabel soft-margin loss) on the
/// image-level labels with TorchSharp, and compiles backbone + head into one ONNX graph.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ###  Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it trains the CAM head |
/// | Input column data type | Pixels: known-size vector of <xref:System.Single> [3, H, W], planar RGB 0..255 (ExtractPixels with interleavePixelColors: false), H and W multiples of the backbone's pad multiple (32); labels: known-size vector of <xref:System.Single> [C], multi-hot |
/// | Output column data type | Features [1, D, h, w], scores [1, C] (sigmoid of the pooled logits), CAM [1, C, H, W] in [0, 1]: known-size vectors of <xref:System.Single> |
/// | Required NuGet in addition to Microsoft.ML | LpCam.MLNet (Microsoft.ML.OnnxTransformer, ONNX Runtime, TorchSharp, Microsoft.ML.DnnImageFeaturizer.ResNet18) |
/// | Exportable to ONNX | Yes: it is an ONNX graph |
///
/// The default backbone is the pretrained ImageNet ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 (frozen), rewritten
/// to return its 512-channel stride-32 map (or stride 16 with dilation). CAM here is single-scale without flip: the
/// multi-scale + flip aggregation is the engine's (<see cref="Engine.Cam.ActivationMapMethod"/>), used by the CLI.
/// Inference honours <see cref="MLContext.GpuDeviceId"/> and <see cref="MLContext.FallbackToCpu"/>; head training uses
/// <see cref="Options.Device"/>.
///
/// Pixel values: Fit refuses a NaN, an infinity or a value outside <see cref="PixelRange"/> (0..255 with a margin of 1),
/// naming the column, row, value and position, and refuses a training set whose pixels all lie within 0..1 (pixels scaled
/// to 0..1: use ExtractPixels without scaling). Transform refuses such pixels too; see
/// <see cref="CamFeaturizerTransformer"/> for how, in process and after <c>Model.Load</c>.
/// ]]></format>
/// </remarks>
public sealed class CamFeaturizerEstimator : OnnxCompiledEstimator<CamFeaturizerTransformer>
{

    /// <summary>Default values of <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>The pixels column (output of ExtractPixels).</summary>
        public const string PixelsColumnName = "Pixels";
        /// <summary>The multi-hot label column.</summary>
        public const string LabelColumnName = "Label";
        /// <summary>The feature-map column to create.</summary>
        public const string FeaturesColumnName = "Features";
        /// <summary>The class-score column to create.</summary>
        public const string ScoresColumnName = "Scores";
        /// <summary>The CAM column to create.</summary>
        public const string CamColumnName = "Cam";
        /// <summary>Output stride of the default backbone.</summary>
        public const int OutputStride = 32;
    }

    /// <summary>Options of <see cref="CamFeaturizerEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Input pixels [3, H, W], planar RGB 0..255.</summary>
        public string PixelsColumnName { get; set; } = Defaults.PixelsColumnName;
        /// <summary>Input multi-hot labels [C].</summary>
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;
        /// <summary>Output feature maps [1, D, h, w].</summary>
        public string FeaturesColumnName { get; set; } = Defaults.FeaturesColumnName;
        /// <summary>Output class scores [1, C].</summary>
        public string ScoresColumnName { get; set; } = Defaults.ScoresColumnName;
        /// <summary>Output CAMs [1, C, H, W].</summary>
        public string CamColumnName { get; set; } = Defaults.CamColumnName;
        /// <summary>The backbone; null for the pretrained ResNet-18 at <see cref="OutputStride"/>.</summary>
        public BackboneOnnxModel? Backbone { get; set; }
        /// <summary>Output stride of the default ResNet-18: 32 (native) or 16 (dilated last stage).</summary>
        public int OutputStride { get; set; } = Defaults.OutputStride;
        /// <summary>Head training options (optimiser, epochs, learning rate, weight decay, seed).</summary>
        public MultiLabelHeadOptions Head { get; set; } = new();
        /// <summary>Class names, one per label slot (stored in the model); null for "class_0", "class_1", ...</summary>
        public IReadOnlyList<string>? ClassNames { get; set; }
        /// <summary>Where the head trains: "cpu", "cuda" or "auto".</summary>
        public string Device { get; set; } = "auto";
        /// <summary>Also receives the progress lines (images featurised, device, loss) that Fit writes to MLContext.Log; null for none.</summary>
        public Action<string>? Log { get; set; }
    }

    /// <summary>Creates the estimator; options are checked here.</summary>
    public CamFeaturizerEstimator(MLContext mlContext, Options options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionChecks.ColumnName(options.PixelsColumnName, nameof(options.PixelsColumnName));
        OptionChecks.ColumnName(options.LabelColumnName, nameof(options.LabelColumnName));
        OptionChecks.ColumnName(options.FeaturesColumnName, nameof(options.FeaturesColumnName));
        OptionChecks.ColumnName(options.ScoresColumnName, nameof(options.ScoresColumnName));
        OptionChecks.ColumnName(options.CamColumnName, nameof(options.CamColumnName));
        if (options.OutputStride is not (16 or 32))
            throw new ArgumentOutOfRangeException(nameof(options.OutputStride), options.OutputStride, $"Option OutputStride is {options.OutputStride}; expected 16 or 32.");
        ArgumentNullException.ThrowIfNull(options.Head, nameof(options.Head));
        TorchDevice.Resolve(options.Device); // validates the name (and "cuda" availability) now
        EstimatorOptions = options;
    }

    /// <summary>The options.</summary>
    public Options EstimatorOptions { get; }

    /// <summary>Featurises the training images, trains the head and compiles the ONNX graph. Fit throws
    /// <see cref="InvalidDataException"/> when a label is not 0 or 1, a pixel is NaN, infinite or outside
    /// <see cref="PixelRange"/>, or every pixel of the training set is within 0..1; the message names the column and row.</summary>
    private protected override CamFeaturizerTransformer FitCompiled(IDataView input)
    {
        var o = EstimatorOptions;
        var backboneModel = o.Backbone ?? ResNet18Rewriter.Rewrite(o.OutputStride);
        var (height, width, classCount) = CheckInput(input.Schema, backboneModel);
        var names = ClassNames(classCount);

        var pooled = new List<float[]>();
        var labels = new List<float[]>();
        using (var backbone = new OnnxBackbone(backboneModel, Context.GpuDeviceId, Log))
            Featurize(input, backbone, height, width, classCount, pooled, labels);
        if (pooled.Count == 0)
            throw new InvalidOperationException($"The training data has no rows; CamFeaturizer needs images with labels in '{o.LabelColumnName}'.");

        var device = TorchDevice.Resolve(o.Device);
        Log($"CamFeaturizer: training the head on {pooled.Count} images ({classCount} classes, D = {backboneModel.FeatureDim}) on {device.type}.");
        var training = new MultiLabelHeadTrainer(o.Head, device).Train(pooled, labels);
        Log($"CamFeaturizer: loss {training.EpochLosses[0]:F4} -> {training.EpochLosses[^1]:F4} over {training.EpochLosses.Length} epochs.");

        var (h, w) = (FeatureGrid.Cells(height, backboneModel.Stride), FeatureGrid.Cells(width, backboneModel.Stride));
        var metadata = Metadata(backboneModel, names, training.Head, device.type.ToString());
        var graph = Compile(backboneModel, training.Head, height, width, h, w, metadata);
        var onnx = Run(input, graph, [o.PixelsColumnName], [o.FeaturesColumnName, o.ScoresColumnName, o.CamColumnName]);
        return new CamFeaturizerTransformer(onnx, metadata, training, names, backboneModel.Name, height, width, h, w,
            o.PixelsColumnName, o.CamColumnName);
    }

    /// <inheritdoc />
    private protected override string CheckInputShape(SchemaShape inputSchema)
    {
        var o = EstimatorOptions;
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.PixelsColumnName, "pixels"), NumberDataViewType.Single, "pixels", "a known-size vector of Single");
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.LabelColumnName, "labels"), NumberDataViewType.Single, "labels", "a known-size vector of Single");
        return o.PixelsColumnName;
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<(string Name, bool Bytes)> OutputColumns =>
        [(EstimatorOptions.FeaturesColumnName, false), (EstimatorOptions.ScoresColumnName, false), (EstimatorOptions.CamColumnName, false)];

    /// <inheritdoc />
    private protected override Action<string>? OptionsLog => EstimatorOptions.Log;

    private (int Height, int Width, int ClassCount) CheckInput(DataViewSchema schema, BackboneOnnxModel backbone)
    {
        var o = EstimatorOptions;
        var pixelsColumn = SchemaChecks.Find(schema, o.PixelsColumnName, "pixels");
        var pixels = SchemaChecks.KnownSizeVector(pixelsColumn, NumberDataViewType.Single, "pixels",
            "a known-size vector of Single [3, H, W] (ExtractPixels with interleavePixelColors: false after ResizeImages)");
        var dims = pixels.Dimensions;
        if (dims.Length != 3 || dims[0] != 3)
            throw SchemaChecks.Mismatch(o.PixelsColumnName, "pixels", "dimensions [3, H, W] (planar RGB)", $"dimensions [{string.Join(", ", dims)}]");
        int m = backbone.PadMultiple;
        if (dims[1] % m != 0 || dims[2] % m != 0)
            throw SchemaChecks.Mismatch(o.PixelsColumnName, "pixels", $"an image size whose sides are multiples of {m} (resize to e.g. 448 x 448)", $"{dims[1]} x {dims[2]}");
        var labels = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.LabelColumnName, "labels"), NumberDataViewType.Single,
            "labels", "a known-size vector of Single (multi-hot, one slot per class)");
        if (o.ClassNames is { } names && names.Count != labels.Size)
            throw new ArgumentException($"Option ClassNames has {names.Count} names but the label column '{o.LabelColumnName}' has {labels.Size} slots.");
        return (dims[1], dims[2], labels.Size);
    }

    private void Featurize(IDataView input, OnnxBackbone backbone, int height, int width, int classCount, List<float[]> pooled, List<float[]> labels)
    {
        var o = EstimatorOptions;
        var pixelsColumn = input.Schema[o.PixelsColumnName];
        var labelColumn = input.Schema[o.LabelColumnName];
        using var cursor = input.GetRowCursor(new[] { pixelsColumn, labelColumn });
        var getPixels = cursor.GetGetter<VBuffer<float>>(pixelsColumn);
        var getLabels = cursor.GetGetter<VBuffer<float>>(labelColumn);
        VBuffer<float> pixels = default, label = default;
        const int batchSize = 4;
        var batch = new List<RgbImage>(batchSize);
        void Flush()
        {
            if (batch.Count == 0) return;
            foreach (var map in backbone.ExtractBatch(batch, out int h, out int w)) pooled.Add(Engine.Features.GlobalAveragePool.Pool(map, backbone.FeatureDim, h * w));
            batch.Clear();
            if (pooled.Count % 50 < batchSize) Log($"CamFeaturizer: {pooled.Count} images featurised.");
        }
        long row = 0;
        float minPixel = float.MaxValue, maxPixel = float.MinValue;
        while (cursor.MoveNext())
        {
            getPixels(ref pixels);
            getLabels(ref label);
            var values = label.DenseValues().ToArray();
            for (int c = 0; c < values.Length; c++)
                if (!(values[c] is 0f or 1f))
                    throw new InvalidDataException($"Row {row}: label column '{o.LabelColumnName}' slot {c} is {values[c]}; expected a multi-hot vector of 0 and 1.");
            labels.Add(values);
            var p = pixels.DenseValues().ToArray();
            int bad = PixelRange.FirstRejected(p);
            if (bad >= 0) throw new InvalidDataException(PixelRange.Describe(row, o.PixelsColumnName, p, bad, height, width));
            for (int i = 0; i < p.Length; i++) (minPixel, maxPixel) = (Math.Min(minPixel, p[i]), Math.Max(maxPixel, p[i]));
            batch.Add(new RgbImage(height, width, p));
            if (batch.Count == batchSize) Flush();
            row++;
        }
        Flush();
        if (row > 0 && maxPixel <= 1f)
            throw new InvalidDataException(
                $"Pixel column '{o.PixelsColumnName}': every value of the {row} training row(s) is within {minPixel.ToString(System.Globalization.CultureInfo.InvariantCulture)}..{maxPixel.ToString(System.Globalization.CultureInfo.InvariantCulture)}; the pixels look scaled to 0..1{(minPixel < 0 ? " or -1..1" : "")}, " +
                "but CamFeaturizer expects planar RGB 0..255: use ExtractPixels without scaling (scaleImage: 1, offsetImage: 0, the defaults).");
    }

    private IReadOnlyList<string> ClassNames(int classCount) =>
        EstimatorOptions.ClassNames ?? Enumerable.Range(0, classCount).Select(i => $"class_{i}").ToArray();

    private static Dictionary<string, string> Metadata(BackboneOnnxModel backbone, IReadOnlyList<string> names, ClassifierHead head, string device) => new()
    {
        [LpCamModelInfo.ComponentKey] = "CamFeaturizer",
        [LpCamModelInfo.FormatVersionKey] = LpCamModelInfo.FormatVersion,
        ["lpcam.backbone"] = backbone.Name,
        ["lpcam.stride"] = backbone.Stride.ToString(CultureInfo.InvariantCulture),
        ["lpcam.feature_dim"] = head.FeatureDim.ToString(CultureInfo.InvariantCulture),
        ["lpcam.class_names"] = string.Join("\n", names),
        ["lpcam.head_weights"] = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(head.Weights.AsSpan())),
        ["lpcam.train_device"] = device,
    };

    private byte[] Compile(BackboneOnnxModel backbone, ClassifierHead head, int height, int width, int h, int w, Dictionary<string, string> metadata)
    {
        var o = EstimatorOptions;
        int c = head.ClassCount, d = head.FeatureDim;
        var tail = MapGraph.Build(head.Weights, c, d, normalizeFeatures: false, height, width, backbone.OutputName, o.CamColumnName, o.ScoresColumnName, Array.Empty<KeyValuePair<string, string>>());
        var composed = OnnxComposer.Compose(backbone.BytesArray, backbone.InputName, backbone.OutputName, tail, o.PixelsColumnName, o.FeaturesColumnName, metadata, backbone.Normalization);
        composed = OnnxComposer.FixShapes(composed, new Dictionary<string, long[]>
        {
            [o.PixelsColumnName] = new long[] { 1, 3, height, width },
            [o.FeaturesColumnName] = new long[] { 1, d, h, w },
            [o.ScoresColumnName] = new long[] { 1, c },
            [o.CamColumnName] = new long[] { 1, c, height, width },
        });
        return InputGuardGraph.InsertPixels(composed, o.PixelsColumnName, PixelRange.Min, PixelRange.Max);
    }
}
