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
/// Images of any size -> backbone feature maps of every inference scale, class scores and multi-scale + flip CAMs at
/// stride 4 of the original image. Fit runs the backbone over the training images once, trains the multi-label CAM head
/// (global average pooling + a bias-free linear layer, multilabel soft-margin loss) on the image-level labels with
/// TorchSharp, and compiles backbone + head + the multi-scale aggregation into one ONNX graph.
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ###  Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it trains the CAM head |
/// | Input column data type | Pixels: known-size vector of <xref:System.Single> [3, H_c, W_c], planar RGB 0..255 (ResizeImages with IsoPad, then ExtractPixels with interleavePixelColors: false); image size (optional): known-size vector of <xref:System.Single> [2], the original height and width; labels: known-size vector of <xref:System.Single> [C], multi-hot |
/// | Output column data type | Features: vector of <xref:System.Single> (every scale's feature map, see <xref:LpCam.MLNet.Estimators.FeatureColumnLayout>); FeatureSize [1, 2 x scales]; Scores [1, C] (sigmoid of the pooled logits; class names as slot names); Cam: vector of <xref:System.Single> [1, C, h, w], h x w = MapSize [1, 2] |
/// | Required NuGet in addition to Microsoft.ML | LpCam.MLNet (Microsoft.ML.OnnxTransformer, Microsoft.ML.ImageAnalytics, ONNX Runtime, TorchSharp, Microsoft.ML.DnnImageFeaturizer.ResNet18) |
/// | Exportable to ONNX | Yes: it is an ONNX graph |
///
/// **Images of any size.** ML.NET's ExtractPixels needs one size for every image, so the pixels come from a fixed canvas:
/// `ResizeImages(width, height, resizing: IsoPad)` scales each image to fit with its aspect ratio kept and pads the rest.
/// Given the image's original size (<see cref="Options.ImageSizeColumnName"/>), the graph finds the image on the canvas
/// (<see cref="Images.ImageCanvas"/>), crops it and pads it to the backbone's multiple itself, so no padding and no
/// stretching reaches the features; the canvas's long side plays the CLI's `--long-side`. The maps come back at stride 4 of
/// the original image, ceil(H / 4) x ceil(W / 4) (IRN's layout; MapSize holds it), and
/// <see cref="Evaluation.StrideFourMaps"/> brings them (or seeds) to H x W. Without an image-size column the canvas is
/// the image (for example images resized with Fill, or all of one size).
///
/// **Full resolution on request:** <see cref="Options.MapStride"/> = 1 gives maps of H x W (20 x 500 x 375 floats = 15 MB
/// per map column for a VOC image).
///
/// **Bytes per row** for VOC (500 x 375 images, canvas 448 x 448, ResNet-18 at stride 32, C = 20) at the defaults (scale 1 +
/// flip): Features 2 x 512 x 14 x 11 floats = 0.63 MB, Cam 20 x 125 x 94 floats = 0.94 MB; with the paper's four scales
/// Features is 7.6 x that. Maps at stride 4 are 16 x smaller than at full resolution.
///
/// **Scales and flip** (<see cref="Options.Scales"/>, <see cref="Options.Flip"/>): the CLI's default, scale 1 + flip; the
/// paper's 1.0, 0.5, 1.5, 2.0 + flip on request. Each scale's image is made from the scale-1 image by bilinear resizing
/// (half-pixel, no antialiasing) inside the graph. The head and the prototypes use the scale-1 features.
///
/// The default backbone is the pretrained ImageNet ResNet-18 of Microsoft.ML.DnnImageFeaturizer.ResNet18 (frozen), rewritten
/// to return its 512-channel stride-32 map (or stride 16 with dilation). Inference honours <see cref="MLContext.GpuDeviceId"/>
/// and <see cref="MLContext.FallbackToCpu"/>; head training uses <see cref="Options.Device"/>.
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
        /// <summary>The name the catalog and the samples give the original-size column.</summary>
        public const string ImageSizeColumnName = "ImageSize";
        /// <summary>The multi-hot label column.</summary>
        public const string LabelColumnName = "Label";
        /// <summary>The feature-map column to create.</summary>
        public const string FeaturesColumnName = "Features";
        /// <summary>The feature-size column to create.</summary>
        public const string FeatureSizeColumnName = "FeatureSize";
        /// <summary>The class-score column to create.</summary>
        public const string ScoresColumnName = "Scores";
        /// <summary>The CAM column to create.</summary>
        public const string CamColumnName = "Cam";
        /// <summary>The map-size column to create.</summary>
        public const string MapSizeColumnName = "MapSize";
        /// <summary>Output stride of the default backbone.</summary>
        public const int OutputStride = 32;
        /// <summary>The canvas side the samples and the CLI use (the CLI's <c>--long-side</c>).</summary>
        public const int LongSide = 448;
        /// <summary>Whether each scale also runs the mirror image (the CLI's default; the paper's).</summary>
        public const bool Flip = true;
        /// <summary>The inference scales: 1 (the CLI's default).</summary>
        public static IReadOnlyList<double> Scales { get; } = [1.0];
        /// <summary>Where the head trains: "auto" (CUDA when TorchSharp's CUDA backend is present, else the CPU).</summary>
        public const string Device = "auto";
        /// <summary>Maps at stride 4 of the original image (IRN's layout).</summary>
        public const int MapStride = 4;
        /// <summary>The CAM head: a linear head trained on the backbone's features, also for a fine-tuned backbone (on voc-dev
        /// it gave better CAM and LPCAM seeds than the fine-tuned network's own head: docs/results.md).</summary>
        public const CamHeadSource HeadSource = CamHeadSource.Train;
    }

    /// <summary>Options of <see cref="CamFeaturizerEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Input pixels [3, H_c, W_c], planar RGB 0..255.</summary>
        public string PixelsColumnName { get; set; } = Defaults.PixelsColumnName;
        /// <summary>
        /// Input original image size [2] (height, width), when the pixels are an IsoPad canvas of images of other sizes; null
        /// when the pixels are the whole image.
        /// </summary>
        public string? ImageSizeColumnName { get; set; }
        /// <summary>Input multi-hot labels [C].</summary>
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;
        /// <summary>Output packed feature maps of every scale (<see cref="FeatureColumnLayout"/>).</summary>
        public string FeaturesColumnName { get; set; } = Defaults.FeaturesColumnName;
        /// <summary>Output (h, w) of each scale's feature map [1, 2 x scales].</summary>
        public string FeatureSizeColumnName { get; set; } = Defaults.FeatureSizeColumnName;
        /// <summary>Output class scores [1, C].</summary>
        public string ScoresColumnName { get; set; } = Defaults.ScoresColumnName;
        /// <summary>Output CAMs [1, C, h, w] at stride 4 of the original image.</summary>
        public string CamColumnName { get; set; } = Defaults.CamColumnName;
        /// <summary>Output (h, w) of the maps [1, 2].</summary>
        public string MapSizeColumnName { get; set; } = Defaults.MapSizeColumnName;
        /// <summary>Inference scales (positive, at most 4, each once); the paper's are 1.0, 0.5, 1.5, 2.0.</summary>
        public IReadOnlyList<double> Scales { get; set; } = Defaults.Scales;
        /// <summary>Whether each scale also runs the mirror image.</summary>
        public bool Flip { get; set; } = Defaults.Flip;
        /// <summary>The maps' stride on the original image: 4 (ceil(H / 4) x ceil(W / 4), the default) or 1 (full resolution,
        /// 16 x the bytes).</summary>
        public int MapStride { get; set; } = Defaults.MapStride;
        /// <summary>The backbone; null for the pretrained ResNet-18 at <see cref="OutputStride"/>.</summary>
        public BackboneOnnxModel? Backbone { get; set; }
        /// <summary>Output stride of the default ResNet-18: 32 (native) or 16 (dilated last stage).</summary>
        public int OutputStride { get; set; } = Defaults.OutputStride;
        /// <summary>Head training options (optimiser, epochs, learning rate, weight decay, seed).</summary>
        public MultiLabelHeadOptions Head { get; set; } = new();
        /// <summary>Where the CAM head comes from: <see cref="CamHeadSource.Train"/> (the default) trains a linear head;
        /// <see cref="CamHeadSource.Auto"/> takes the head of a fine-tuned <see cref="Backbone"/> (<see cref="BackboneOnnxModel.Head"/>)
        /// when it has one.</summary>
        public CamHeadSource HeadSource { get; set; } = Defaults.HeadSource;
        /// <summary>Class names, one per label slot (stored in the model, slot names of the scores); null for "class_0", ...</summary>
        public IReadOnlyList<string>? ClassNames { get; set; }
        /// <summary>Where the head trains: "cpu", "cuda" or "auto".</summary>
        public string Device { get; set; } = Defaults.Device;
        /// <summary>Also receives the progress lines (images featurised, device, loss) that Fit writes to MLContext.Log; null for none.</summary>
        public Action<string>? Log { get; set; }
    }

    private readonly FeatureColumnLayout _layout;

    /// <summary>Creates the estimator; options are checked here.</summary>
    public CamFeaturizerEstimator(MLContext mlContext, Options options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (name, value) in new[] { (nameof(options.PixelsColumnName), options.PixelsColumnName), (nameof(options.LabelColumnName), options.LabelColumnName),
            (nameof(options.FeaturesColumnName), options.FeaturesColumnName), (nameof(options.FeatureSizeColumnName), options.FeatureSizeColumnName),
            (nameof(options.ScoresColumnName), options.ScoresColumnName), (nameof(options.CamColumnName), options.CamColumnName),
            (nameof(options.MapSizeColumnName), options.MapSizeColumnName) })
            OptionChecks.ColumnName(value, name);
        if (options.ImageSizeColumnName is not null) OptionChecks.ColumnName(options.ImageSizeColumnName, nameof(options.ImageSizeColumnName));
        if (options.MapStride is not (1 or 4))
            throw new ArgumentOutOfRangeException(nameof(options.MapStride), options.MapStride, $"Option MapStride is {options.MapStride}; expected 4 (the default) or 1 (full resolution).");
        if (options.OutputStride is not (16 or 32))
            throw new ArgumentOutOfRangeException(nameof(options.OutputStride), options.OutputStride, $"Option OutputStride is {options.OutputStride}; expected 16 or 32.");
        ArgumentNullException.ThrowIfNull(options.Scales, nameof(options.Scales));
        try
        {
            _layout = FeatureColumnLayout.Checked(options.Scales, options.Flip);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Option Scales: {e.Message}", nameof(options.Scales), e);
        }
        if (_layout.Scales.Max() > MaxScale)
            throw new ArgumentOutOfRangeException(nameof(options.Scales), $"Option Scales has {_layout.Scales.Max()}; expected scales of at most {MaxScale}.");
        ArgumentNullException.ThrowIfNull(options.Head, nameof(options.Head));
        if (!Enum.IsDefined(options.HeadSource))
            throw new ArgumentOutOfRangeException(nameof(options.HeadSource), options.HeadSource, $"Option HeadSource is {options.HeadSource}; expected Auto, Train or Backbone.");
        if (options.HeadSource == CamHeadSource.Backbone && options.Backbone?.Head is null)
            throw new ArgumentException($"Option HeadSource is Backbone, but {(options.Backbone is null ? "the default backbone" : $"the backbone '{options.Backbone.Name}'")} carries no classifier head; " +
                "give a fine-tuned backbone (lpcam fine-tune, FineTuner) or use HeadSource Train.", nameof(options.HeadSource));
        TorchDevice.Resolve(options.Device); // validates the name (and "cuda" availability) now
        EstimatorOptions = options;
    }

    /// <summary>The largest scale accepted (the CLI's limit too).</summary>
    public const double MaxScale = 4;

    /// <summary>The options.</summary>
    public Options EstimatorOptions { get; }

    /// <summary>Featurises the training images, trains the head and compiles the ONNX graph. Fit throws
    /// <see cref="InvalidDataException"/> when a label is not 0 or 1, an image size is not a positive whole number, a pixel
    /// is NaN, infinite or outside <see cref="PixelRange"/>, or every pixel of the training set is within 0..1; the message
    /// names the column and row.</summary>
    private protected override CamFeaturizerTransformer FitCompiled(IDataView input)
    {
        var o = EstimatorOptions;
        var backboneModel = o.Backbone ?? ResNet18Rewriter.Rewrite(o.OutputStride);
        var (height, width, classCount) = CheckInput(input.Schema);
        var names = ClassNames(classCount);
        var columns = new CamFeaturizerNames(o.PixelsColumnName, o.ImageSizeColumnName, o.FeaturesColumnName, o.FeatureSizeColumnName,
            o.ScoresColumnName, o.CamColumnName, o.MapSizeColumnName);

        var ownHead = o.HeadSource != CamHeadSource.Train ? backboneModel.Head : null;
        if (ownHead is not null && ownHead.ClassCount != classCount)
            throw new InvalidOperationException($"The backbone '{backboneModel.Name}' carries a head of {ownHead.ClassCount} classes, but the label column '{o.LabelColumnName}' has {classCount} slots; " +
                "fine-tune on these classes or use HeadSource Train.");

        // The backbone runs once per training image at scale 1 (no flip), cropped as the fitted graph crops it, unless the
        // backbone's own head is used; the rows are checked either way.
        List<float[]> pooled, labels;
        using (var extractor = ownHead is null ? new PackedFeatureExtractor(backboneModel, new FeatureColumnLayout([1.0], Flip: false), height, width, Context.GpuDeviceId, Log) : null)
            (pooled, labels) = Featurize(input, extractor, height, width);
        if (labels.Count == 0)
            throw new InvalidOperationException($"The training data has no rows; CamFeaturizer needs images with labels in '{o.LabelColumnName}'.");

        var device = TorchDevice.Resolve(o.Device);
        HeadTrainingResult training;
        if (ownHead is not null)
        {
            Log($"CamFeaturizer: the CAM head is the backbone's own ('{backboneModel.Name}', {classCount} classes, D = {backboneModel.FeatureDim}); {labels.Count} rows checked.");
            training = new HeadTrainingResult(ownHead, [], null);
        }
        else
        {
            Log($"CamFeaturizer: training the head on {pooled.Count} images ({classCount} classes, D = {backboneModel.FeatureDim}) on {device.type}.");
            training = new MultiLabelHeadTrainer(o.Head, device).Train(pooled, labels);
            Log($"CamFeaturizer: loss {training.EpochLosses[0]:F4} -> {training.EpochLosses[^1]:F4} over {training.EpochLosses.Length} epochs.");
        }

        var metadata = Metadata(backboneModel, names, training.Head, device.type.ToString(), height, width);
        var graph = CamFeaturizerGraph.Build(backboneModel, training.Head, _layout, height, width, columns, metadata, o.MapStride);
        graph = InputGuardGraph.InsertPixels(graph, o.PixelsColumnName, PixelRange.Min, PixelRange.Max);
        var inputs = o.ImageSizeColumnName is null ? new[] { o.PixelsColumnName } : [o.PixelsColumnName, o.ImageSizeColumnName];
        var onnx = Run(input, graph, inputs, [o.FeaturesColumnName, o.FeatureSizeColumnName, o.ScoresColumnName, o.CamColumnName, o.MapSizeColumnName]);
        return new CamFeaturizerTransformer(onnx, metadata, training, names, backboneModel.Name, _layout, height, width, o);
    }

    /// <inheritdoc />
    private protected override string CheckInputShape(SchemaShape inputSchema)
    {
        var o = EstimatorOptions;
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.PixelsColumnName, "pixels"), NumberDataViewType.Single, "pixels", "a known-size vector of Single");
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.LabelColumnName, "labels"), NumberDataViewType.Single, "labels", "a known-size vector of Single");
        if (o.ImageSizeColumnName is { } size)
            SchemaChecks.Vector(SchemaChecks.Find(inputSchema, size, "image size"), NumberDataViewType.Single, "image size", "a known-size vector of 2 Single");
        return o.PixelsColumnName;
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<(string Name, bool Bytes)> OutputColumns =>
        [(EstimatorOptions.FeaturesColumnName, false), (EstimatorOptions.FeatureSizeColumnName, false), (EstimatorOptions.ScoresColumnName, false),
            (EstimatorOptions.CamColumnName, false), (EstimatorOptions.MapSizeColumnName, false)];

    /// <inheritdoc />
    private protected override Action<string>? OptionsLog => EstimatorOptions.Log;

    private (int Height, int Width, int ClassCount) CheckInput(DataViewSchema schema)
    {
        var o = EstimatorOptions;
        var pixelsColumn = SchemaChecks.Find(schema, o.PixelsColumnName, "pixels");
        var pixels = SchemaChecks.KnownSizeVector(pixelsColumn, NumberDataViewType.Single, "pixels",
            "a known-size vector of Single [3, H, W] (ExtractPixels with interleavePixelColors: false after ResizeImages)");
        var dims = pixels.Dimensions;
        if (dims.Length != 3 || dims[0] != 3)
            throw SchemaChecks.Mismatch(o.PixelsColumnName, "pixels", "dimensions [3, H, W] (planar RGB)", $"dimensions [{string.Join(", ", dims)}]");
        if (o.ImageSizeColumnName is { } sizeName)
        {
            var size = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, sizeName, "image size"), NumberDataViewType.Single, "image size",
                "a known-size vector of 2 Single (original height, width)");
            if (size.Size != 2)
                throw SchemaChecks.Mismatch(sizeName, "image size", "a known-size vector of 2 Single (original height, width)", $"{size.Size} values");
        }
        var labels = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.LabelColumnName, "labels"), NumberDataViewType.Single,
            "labels", "a known-size vector of Single (multi-hot, one slot per class)");
        if (o.ClassNames is { } names && names.Count != labels.Size)
            throw new ArgumentException($"Option ClassNames has {names.Count} names but the label column '{o.LabelColumnName}' has {labels.Size} slots.");
        return (dims[1], dims[2], labels.Size);
    }

    /// <summary>Checks every row's labels, image size and pixels, and pools its scale-1 features (when given an extractor).</summary>
    private (List<float[]> Pooled, List<float[]> Labels) Featurize(IDataView input, PackedFeatureExtractor? extractor, int height, int width)
    {
        var o = EstimatorOptions;
        var s = input.Schema;
        var needed = new List<DataViewSchema.Column> { s[o.PixelsColumnName], s[o.LabelColumnName] };
        if (o.ImageSizeColumnName is { } sizeName) needed.Add(s[sizeName]);
        using var cursor = input.GetRowCursor(needed);
        var getPixels = cursor.GetGetter<VBuffer<float>>(s[o.PixelsColumnName]);
        var getLabels = cursor.GetGetter<VBuffer<float>>(s[o.LabelColumnName]);
        var getSize = o.ImageSizeColumnName is { } name ? cursor.GetGetter<VBuffer<float>>(s[name]) : null;
        VBuffer<float> pixels = default, label = default, size = default;
        var pooled = new List<float[]>();
        var labels = new List<float[]>();
        long row = 0;
        float minPixel = float.MaxValue, maxPixel = float.MinValue;
        while (cursor.MoveNext())
        {
            getLabels(ref label);
            var values = label.DenseValues().ToArray();
            for (int c = 0; c < values.Length; c++)
                if (!(values[c] is 0f or 1f))
                    throw new InvalidDataException($"Row {row}: label column '{o.LabelColumnName}' slot {c} is {values[c]}; expected a multi-hot vector of 0 and 1.");
            // Without an image-size column the canvas is the image: its box on the canvas is the whole canvas.
            var (imageHeight, imageWidth) = (height, width);
            if (getSize is not null)
            {
                getSize(ref size);
                var sides = size.DenseValues().ToArray();
                foreach (float v in sides)
                    if (!(v >= 1 && v <= MaxImageSide && v == MathF.Round(v)))
                        throw new InvalidDataException($"Row {row}: image-size column '{o.ImageSizeColumnName}' holds {v}; expected the original height and width, whole numbers from 1 to {MaxImageSide}.");
                (imageHeight, imageWidth) = ((int)sides[0], (int)sides[1]);
            }
            getPixels(ref pixels);
            var p = pixels.DenseValues().ToArray();
            int bad = PixelRange.FirstRejected(p);
            if (bad >= 0) throw new InvalidDataException(PixelRange.Describe(row, o.PixelsColumnName, p, bad, height, width));
            for (int i = 0; i < p.Length; i++) (minPixel, maxPixel) = (Math.Min(minPixel, p[i]), Math.Max(maxPixel, p[i]));
            if (extractor is not null)
            {
                var (features, _) = extractor.Extract(p, imageHeight, imageWidth);
                pooled.Add(Engine.Features.GlobalAveragePool.Pool(features, extractor.FeatureDim, features.Length / extractor.FeatureDim));
            }
            labels.Add(values);
            if (++row % 50 == 0 && extractor is not null) Log($"CamFeaturizer: {row} images featurised.");
        }
        if (row > 0 && maxPixel <= 1f)
            throw new InvalidDataException(
                $"Pixel column '{o.PixelsColumnName}': every value of the {row} training row(s) is within {minPixel.ToString(CultureInfo.InvariantCulture)}..{maxPixel.ToString(CultureInfo.InvariantCulture)}; the pixels look scaled to 0..1{(minPixel < 0 ? " or -1..1" : "")}, " +
                "but CamFeaturizer expects planar RGB 0..255: use ExtractPixels without scaling (scaleImage: 1, offsetImage: 0, the defaults).");
        return (pooled, labels);
    }

    /// <summary>The largest original image side accepted in the image-size column.</summary>
    public const int MaxImageSide = 65535;

    private IReadOnlyList<string> ClassNames(int classCount) =>
        EstimatorOptions.ClassNames ?? Enumerable.Range(0, classCount).Select(i => $"class_{i}").ToArray();

    private Dictionary<string, string> Metadata(BackboneOnnxModel backbone, IReadOnlyList<string> names, ClassifierHead head, string device, int height, int width) => new()
    {
        [LpCamModelInfo.ComponentKey] = "CamFeaturizer",
        [LpCamModelInfo.FormatVersionKey] = LpCamModelInfo.FormatVersion,
        ["lpcam.backbone"] = backbone.Name,
        ["lpcam.stride"] = backbone.Stride.ToString(CultureInfo.InvariantCulture),
        ["lpcam.feature_dim"] = head.FeatureDim.ToString(CultureInfo.InvariantCulture),
        ["lpcam.class_names"] = string.Join("\n", names),
        ["lpcam.head_weights"] = Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(head.Weights.AsSpan())),
        ["lpcam.train_device"] = device,
        [LpCamModelInfo.LayoutKey] = _layout.ToString(),
        ["lpcam.canvas"] = $"{height.ToString(CultureInfo.InvariantCulture)}x{width.ToString(CultureInfo.InvariantCulture)}",
        ["lpcam.image_size_column"] = EstimatorOptions.ImageSizeColumnName ?? "",
        ["lpcam.map_stride"] = EstimatorOptions.MapStride.ToString(CultureInfo.InvariantCulture),
    };
}
