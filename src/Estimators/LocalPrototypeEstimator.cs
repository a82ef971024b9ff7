using System.Globalization;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Engine.LpCam;
using LpCam.MLNet.Engine.Prototypes;
using LpCam.MLNet.Onnx;
using LpCam.MLNet.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Onnx;
using static TorchSharp.torch;

namespace LpCam.MLNet.Estimators;

/// <summary>
/// Fits LPCAM's local prototypes (paper Eqs. 2-4) over the training data and returns an <see cref="LpCamTransformer"/>
/// that makes LPCAM maps (Eqs. 5-6). Fit streams the data once: each image's feature map is split by its CAM into
/// foreground (CAM &gt; tau) and context features of each of its classes, kept in bounded reservoir samples; each sample
/// is clustered by spherical k-means; the classifier keeps the centres it scores as the class (class prototypes) and,
/// from the context, those it does not (context prototypes).
/// </summary>
/// <remarks>
/// <format type="text/markdown"><![CDATA[
/// ###  Estimator Characteristics
/// |  |  |
/// | -- | -- |
/// | Does this estimator need to look at the data to train its parameters? | Yes: it clusters the training features |
/// | Input column data type | Features [.., D, h, w], CAM [.., C, H, W] and multi-hot labels [C]: known-size vectors of <xref:System.Single> (the outputs of CamFeaturizer) |
/// | Output column data type | LPCAM maps [1, C, H, W] in [0, 1] (and LPCAM-F on request): known-size vectors of <xref:System.Single> |
/// | Required NuGet in addition to Microsoft.ML | LpCam.MLNet (TorchSharp for the clustering, Microsoft.ML.OnnxTransformer and ONNX Runtime for inference) |
/// | Exportable to ONNX | Yes: it is an ONNX graph |
///
/// The classifier weights come from a CamFeaturizer earlier in the same pipeline (an annotation on its CAM column) or
/// from <see cref="Options.Classifier"/> (for example <see cref="LpCamModelInfo.ReadClassifierHead(string)"/> of a saved
/// featurizer). Memory is bounded by the sample cap: 2 x C x cap x D floats at most, whatever the number of images.
/// Defaults are the paper's VOC values: K = 12, tau = 0.1, mu_f = mu_b = 0.9, context lower bound 0.05.
/// ]]></format>
/// </remarks>
public sealed class LocalPrototypeEstimator : OnnxCompiledEstimator<LpCamTransformer>
{

    /// <summary>Default values of <see cref="Options"/>.</summary>
    public static class Defaults
    {
        /// <summary>The feature-map column.</summary>
        public const string FeaturesColumnName = CamFeaturizerEstimator.Defaults.FeaturesColumnName;
        /// <summary>The CAM column.</summary>
        public const string CamColumnName = CamFeaturizerEstimator.Defaults.CamColumnName;
        /// <summary>The feature-size column.</summary>
        public const string FeatureSizeColumnName = CamFeaturizerEstimator.Defaults.FeatureSizeColumnName;
        /// <summary>The map-size column.</summary>
        public const string MapSizeColumnName = CamFeaturizerEstimator.Defaults.MapSizeColumnName;
        /// <summary>The multi-hot label column.</summary>
        public const string LabelColumnName = "Label";
        /// <summary>The LPCAM column to create.</summary>
        public const string OutputColumnName = "LpCam";
        /// <summary>K, clusters per foreground and per context set (VOC).</summary>
        public const int Clusters = SphericalKMeansOptions.DefaultClusters;
        /// <summary>tau (VOC).</summary>
        public const float Tau = PrototypeSampleAccumulator.DefaultTau;
        /// <summary>mu_f (VOC and COCO).</summary>
        public const double ClassThreshold = PrototypeSelectionOptions.DefaultClassThreshold;
        /// <summary>mu_b (VOC).</summary>
        public const double ContextThreshold = PrototypeSelectionOptions.DefaultContextThreshold;
        /// <summary>Lower bound on a context prototype's score (VOC).</summary>
        public const double ContextLowerBound = PrototypeSelectionOptions.DefaultContextLowerBound;
        /// <summary>Feature rows sampled per class and set.</summary>
        public const int SampleCap = PrototypeSampleAccumulator.DefaultSampleCap;
    }

    /// <summary>Options of <see cref="LocalPrototypeEstimator"/>.</summary>
    public sealed class Options
    {
        /// <summary>Input packed feature maps of every scale (CamFeaturizer's Features, <see cref="FeatureColumnLayout"/>).</summary>
        public string FeaturesColumnName { get; set; } = Defaults.FeaturesColumnName;
        /// <summary>Input (h, w) of each scale's feature map (CamFeaturizer's FeatureSize).</summary>
        public string FeatureSizeColumnName { get; set; } = Defaults.FeatureSizeColumnName;
        /// <summary>Input CAMs [1, C, h, w], values in [0, 1] (CamFeaturizer's Cam).</summary>
        public string CamColumnName { get; set; } = Defaults.CamColumnName;
        /// <summary>Input (h, w) of the maps (CamFeaturizer's MapSize); the LPCAM maps are made at this size.</summary>
        public string MapSizeColumnName { get; set; } = Defaults.MapSizeColumnName;
        /// <summary>Input multi-hot labels [C].</summary>
        public string LabelColumnName { get; set; } = Defaults.LabelColumnName;
        /// <summary>Output LPCAM maps [1, C, H, W].</summary>
        public string OutputColumnName { get; set; } = Defaults.OutputColumnName;
        /// <summary>If set, also output LPCAM-F (class prototypes only) under this name.</summary>
        public string? ForegroundOnlyColumnName { get; set; }
        /// <summary>
        /// The clustering and selection settings: K (Clusters), tau, mu_f (ClassThreshold), mu_b (ContextThreshold), lower
        /// bound, sample cap, seed, k-means rule, selection on/off, device. The device defaults to "auto" here: CUDA when the
        /// CUDA backend of TorchSharp is present, else the CPU (the device used is logged and stored in the model).
        /// </summary>
        public PrototypeFitterOptions Fitting { get; set; } = new() { Device = "auto" };
        /// <summary>The classifier W [C, D]; null to take it from the CAM column's annotation (a CamFeaturizer earlier in the pipeline).</summary>
        public ClassifierHead? Classifier { get; set; }
        /// <summary>
        /// The featurizer's scales and flip; null to take them from the Features column's annotation (a CamFeaturizer
        /// earlier in the pipeline). After <c>Model.Load</c>, read them with <see cref="LpCamModelInfo.ReadFeatureLayout"/>.
        /// </summary>
        public FeatureColumnLayout? Layout { get; set; }
        /// <summary>Class names, stored in the model; optional.</summary>
        public IReadOnlyList<string>? ClassNames { get; set; }
        /// <summary>Also receives the progress lines that Fit writes to MLContext.Log; null for none.</summary>
        public Action<string>? Log { get; set; }
    }

    /// <summary>Creates the estimator; options are checked here.</summary>
    public LocalPrototypeEstimator(MLContext mlContext, Options options) : base(mlContext)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionChecks.ColumnName(options.FeaturesColumnName, nameof(options.FeaturesColumnName));
        OptionChecks.ColumnName(options.CamColumnName, nameof(options.CamColumnName));
        OptionChecks.ColumnName(options.FeatureSizeColumnName, nameof(options.FeatureSizeColumnName));
        OptionChecks.ColumnName(options.MapSizeColumnName, nameof(options.MapSizeColumnName));
        OptionChecks.ColumnName(options.LabelColumnName, nameof(options.LabelColumnName));
        OptionChecks.ColumnName(options.OutputColumnName, nameof(options.OutputColumnName));
        if (options.ForegroundOnlyColumnName is not null)
        {
            OptionChecks.ColumnName(options.ForegroundOnlyColumnName, nameof(options.ForegroundOnlyColumnName));
            if (options.ForegroundOnlyColumnName == options.OutputColumnName)
                throw new ArgumentException($"Option ForegroundOnlyColumnName is '{options.ForegroundOnlyColumnName}', the same as OutputColumnName; expected another name.");
        }
        ArgumentNullException.ThrowIfNull(options.Fitting, nameof(options.Fitting));
        new PrototypeFitter(1, options.Fitting); // validates every setting now, naming the first bad one
        EstimatorOptions = options;
    }

    /// <summary>The options.</summary>
    public Options EstimatorOptions { get; }

    /// <summary>Streams the data once, fits the prototypes and compiles the LPCAM graph.</summary>
    private protected override LpCamTransformer FitCompiled(IDataView input)
    {
        var o = EstimatorOptions;
        int classCount = CheckInput(input.Schema);
        var layout = o.Layout ?? LayoutFromAnnotation(input.Schema);
        var shape = new InputShape(classCount, layout);
        var head = o.Classifier ?? HeadFromAnnotation(input.Schema, classCount);
        if (head.ClassCount != classCount)
            throw new ArgumentException($"The classifier has {head.ClassCount} classes; the label column '{o.LabelColumnName}' has {classCount} slots.");

        var fitter = new PrototypeFitter(classCount, o.Fitting);
        int images = Stream(input, shape, head.FeatureDim, fitter);
        string device = Engine.TorchDevice.Resolve(o.Fitting.Device).type.ToString();
        Log($"LocalPrototypes: {images} images streamed; clustering {classCount} classes (K = {o.Fitting.Clusters}) on {device}.");
        PrototypeFitResult result;
        using (var weights = tensor(head.Weights, new long[] { head.ClassCount, head.FeatureDim }))
            result = fitter.Fit(weights);

        var names = o.ClassNames ?? SlotNames(input.Schema, classCount) ?? Enumerable.Range(0, classCount).Select(i => $"class_{i}").ToArray();
        var metadata = Metadata(result, names);
        metadata["lpcam.cluster_device"] = device;
        metadata[LpCamModelInfo.LayoutKey] = layout.ToString();
        metadata[LpCamModelInfo.PrototypesKey] = Convert.ToBase64String(PrototypeNpz.ToBytes(result.Prototypes, names));
        long? length = input.Schema[o.FeaturesColumnName].Type is VectorDataViewType { IsKnownSize: true, Size: var size } ? size : null;
        var graph = Compile(result.Prototypes, shape, metadata, length);
        var outputs = o.ForegroundOnlyColumnName is { } fo ? new[] { o.OutputColumnName, fo } : [o.OutputColumnName];
        return new LpCamTransformer(Run(input, graph, [o.FeaturesColumnName, o.FeatureSizeColumnName, o.MapSizeColumnName], outputs),
            metadata, result, names, o.OutputColumnName, o.ForegroundOnlyColumnName);
    }

    /// <inheritdoc />
    private protected override string CheckInputShape(SchemaShape inputSchema)
    {
        var o = EstimatorOptions;
        foreach (var (name, role) in new[] { (o.FeaturesColumnName, "features"), (o.FeatureSizeColumnName, "feature size"), (o.CamColumnName, "CAM"),
            (o.MapSizeColumnName, "map size"), (o.LabelColumnName, "labels") })
            SchemaChecks.Vector(SchemaChecks.Find(inputSchema, name, role), NumberDataViewType.Single, role, "a vector of Single");
        return o.FeaturesColumnName;
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<(string Name, bool Bytes)> OutputColumns =>
        EstimatorOptions.ForegroundOnlyColumnName is { } fo ? [(EstimatorOptions.OutputColumnName, false), (fo, false)] : [(EstimatorOptions.OutputColumnName, false)];

    /// <inheritdoc />
    private protected override Action<string>? OptionsLog => EstimatorOptions.Log;

    private readonly record struct InputShape(int ClassCount, FeatureColumnLayout Layout);

    /// <summary>Checks the column types; returns C, the label slots.</summary>
    private int CheckInput(DataViewSchema schema)
    {
        var o = EstimatorOptions;
        var labels = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.LabelColumnName, "labels"), NumberDataViewType.Single,
            "labels", "a known-size vector of Single (multi-hot, one slot per class)");
        foreach (var (name, role, expected) in new[] { (o.FeaturesColumnName, "features", "a vector of Single (CamFeaturizer's Features)"),
            (o.CamColumnName, "CAM", "a vector of Single (CamFeaturizer's Cam)") })
        {
            var column = SchemaChecks.Find(schema, name, role);
            if (column.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Single))
                throw SchemaChecks.Mismatch(name, role, expected, column.Type.ToString() ?? "?");
        }
        var mapSize = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.MapSizeColumnName, "map size"), NumberDataViewType.Single,
            "map size", "a known-size vector of 2 Single (CamFeaturizer's MapSize)");
        if (mapSize.Size != 2) throw SchemaChecks.Mismatch(o.MapSizeColumnName, "map size", "2 values (h, w)", $"{mapSize.Size} values");
        SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.FeatureSizeColumnName, "feature size"), NumberDataViewType.Single,
            "feature size", "a known-size vector of Single (CamFeaturizer's FeatureSize)");
        return labels.Size;
    }

    private FeatureColumnLayout LayoutFromAnnotation(DataViewSchema schema)
    {
        var o = EstimatorOptions;
        var column = schema[o.FeaturesColumnName];
        if (column.Annotations.Schema.GetColumnOrNull(CamFeaturizerTransformer.FeatureLayoutAnnotation) is null)
            throw new InvalidOperationException(
                $"Column '{o.FeaturesColumnName}' carries no feature layout (annotation '{CamFeaturizerTransformer.FeatureLayoutAnnotation}'): " +
                "it comes from a CamFeaturizer fitted in this process only. Set Options.Layout, for example to " +
                "LpCamModelInfo.ReadFeatureLayout(savedModelZip).");
        ReadOnlyMemory<char> text = default;
        column.Annotations.GetValue(CamFeaturizerTransformer.FeatureLayoutAnnotation, ref text);
        return FeatureColumnLayout.Parse(text.ToString());
    }

    private ClassifierHead HeadFromAnnotation(DataViewSchema schema, int classCount)
    {
        var o = EstimatorOptions;
        var column = schema[o.CamColumnName];
        var annotation = column.Annotations.Schema.GetColumnOrNull(CamFeaturizerTransformer.ClassifierWeightsAnnotation);
        if (annotation is not { Type: VectorDataViewType { Dimensions: [_, var d] } })
            throw new InvalidOperationException(
                $"Column '{o.CamColumnName}' carries no classifier weights (annotation '{CamFeaturizerTransformer.ClassifierWeightsAnnotation}'): " +
                "it comes from a CamFeaturizer fitted in this process only. Set Options.Classifier, for example to " +
                "LpCamModelInfo.ReadClassifierHead(savedModelZip).");
        VBuffer<float> weights = default;
        column.Annotations.GetValue(CamFeaturizerTransformer.ClassifierWeightsAnnotation, ref weights);
        return new ClassifierHead(classCount, d, weights.DenseValues().ToArray());
    }

    /// <summary>The slot names of the scores column (CamFeaturizer's class names), when a CamFeaturizer is upstream.</summary>
    private static IReadOnlyList<string>? SlotNames(DataViewSchema schema, int classCount) =>
        schema.GetColumnOrNull(CamFeaturizerEstimator.Defaults.ScoresColumnName) is { } scores ? ClassNameSlots.Read(scores, classCount) : null;

    private int Stream(IDataView input, InputShape shape, int featureDim, PrototypeFitter fitter)
    {
        var o = EstimatorOptions;
        var s = input.Schema;
        var columns = new[] { s[o.FeaturesColumnName], s[o.FeatureSizeColumnName], s[o.CamColumnName], s[o.MapSizeColumnName], s[o.LabelColumnName] };
        using var cursor = input.GetRowCursor(columns);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(columns[0]);
        var getFeatureSize = cursor.GetGetter<VBuffer<float>>(columns[1]);
        var getCam = cursor.GetGetter<VBuffer<float>>(columns[2]);
        var getMapSize = cursor.GetGetter<VBuffer<float>>(columns[3]);
        var getLabels = cursor.GetGetter<VBuffer<float>>(columns[4]);
        VBuffer<float> f = default, fs = default, cam = default, ms = default, label = default;
        int images = 0;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            getLabels(ref label);
            var classes = new List<int>();
            int slot = 0;
            foreach (float v in label.DenseValues())
            {
                if (v is not (0f or 1f))
                    throw new InvalidDataException($"Row {row}: label column '{o.LabelColumnName}' slot {slot} is {v}; expected a multi-hot vector of 0 and 1.");
                if (v == 1f) classes.Add(slot);
                slot++;
            }
            if (classes.Count == 0) continue;
            getFeatures(ref f);
            getFeatureSize(ref fs);
            getCam(ref cam);
            getMapSize(ref ms);
            var sizes = fs.DenseValues().ToArray();
            var mapSize = ms.DenseValues().ToArray();
            int h = (int)sizes[0], w = (int)sizes[1], mh = (int)mapSize[0], mw = (int)mapSize[1], plane = mh * mw;
            int blocks = shape.Layout.BlockScales.Count, perScale = shape.Layout.Flip ? 2 : 1;
            if (sizes.Length != 2 * blocks)
                throw new InvalidDataException($"Row {row}: feature-size column '{o.FeatureSizeColumnName}' has {sizes.Length} values; expected {2 * blocks} for the layout '{shape.Layout}'.");
            long expected = 0;
            for (int b = 0; b < blocks; b++) expected += (long)perScale * featureDim * (long)sizes[2 * b] * (long)sizes[2 * b + 1];
            if (f.Length != expected)
                throw new InvalidDataException($"Row {row}: features column '{o.FeaturesColumnName}' has {f.Length} values; expected {expected} (D = {featureDim}, layout '{shape.Layout}', sizes {string.Join(" ", sizes)}).");
            if (cam.Length != (long)shape.ClassCount * plane)
                throw new InvalidDataException($"Row {row}: CAM column '{o.CamColumnName}' has {cam.Length} values; expected {shape.ClassCount} x {mh} x {mw} (map size column '{o.MapSizeColumnName}').");
            var camValues = Dense(cam);
            var selected = new float[classes.Count * plane];
            for (int k = 0; k < classes.Count; k++) camValues.Slice(classes[k] * plane, plane).CopyTo(selected.AsSpan(k * plane));
            using var scope = NewDisposeScope();
            var scale1 = tensor(Dense(f).Slice(0, featureDim * h * w).ToArray(), new long[] { featureDim, h, w });
            var cams = tensor(selected, new long[] { classes.Count, mh, mw });
            try
            {
                fitter.Add(scale1, cams, classes);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Row {row}: {e.Message}", e);
            }
            if (++images % 50 == 0) Log($"LocalPrototypes: {images} images streamed.");
        }
        return images;

        static ReadOnlySpan<float> Dense(in VBuffer<float> v) => v.IsDense ? v.GetValues() : v.DenseValues().ToArray();
    }

    private Dictionary<string, string> Metadata(PrototypeFitResult result, IReadOnlyList<string> names)
    {
        var f = EstimatorOptions.Fitting;
        string I(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            [LpCamModelInfo.ComponentKey] = "LocalPrototypes",
            [LpCamModelInfo.FormatVersionKey] = LpCamModelInfo.FormatVersion,
            ["lpcam.class_names"] = string.Join("\n", names),
            ["lpcam.k"] = f.Clusters.ToString(CultureInfo.InvariantCulture),
            ["lpcam.tau"] = I(f.Tau),
            ["lpcam.mu_f"] = I(f.ClassThreshold),
            ["lpcam.mu_b"] = I(f.ContextThreshold),
            ["lpcam.context_lower_bound"] = I(f.ContextLowerBound),
            ["lpcam.sample_cap"] = f.SampleCap.ToString(CultureInfo.InvariantCulture),
            ["lpcam.seed"] = f.Seed.ToString(CultureInfo.InvariantCulture),
            ["lpcam.selection"] = f.Selection ? "on" : "off",
            ["lpcam.update_rule"] = f.UpdateRule.ToString(),
            ["lpcam.class_prototypes"] = string.Join(",", result.Prototypes.Classes.Select(c => c.ClassCentres.Length)),
            ["lpcam.context_prototypes"] = string.Join(",", result.Prototypes.Classes.Select(c => c.ContextCentres.Length)),
            ["lpcam.outputs"] = EstimatorOptions.ForegroundOnlyColumnName is { } fo ? $"{EstimatorOptions.OutputColumnName}=lpcam,{fo}=lpcam_f" : $"{EstimatorOptions.OutputColumnName}=lpcam",
        };
    }

    private byte[] Compile(PrototypeSet set, InputShape shape, Dictionary<string, string> metadata, long? featuresLength)
    {
        var o = EstimatorOptions;
        var maps = new List<(float[], string)>();
        using (var lpcam = new LocalPrototypeMap(set))
            maps.Add((lpcam.EffectiveWeights.data<float>().ToArray(), o.OutputColumnName));
        if (o.ForegroundOnlyColumnName is { } fo)
            using (var lpcamF = new LocalPrototypeMap(set, foregroundOnly: true))
                maps.Add((lpcamF.EffectiveWeights.data<float>().ToArray(), fo));
        var graph = PackedMapGraph.Build(maps, shape.ClassCount, set.FeatureDim, shape.Layout, o.FeaturesColumnName, o.FeatureSizeColumnName,
            o.MapSizeColumnName, metadata, featuresLength);
        return InputGuardGraph.InsertFinite(graph, o.FeaturesColumnName, "feature maps (CamFeaturizer's output)");
    }
}
