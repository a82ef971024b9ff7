using System.Globalization;
using LpCam.MLNet.Engine.Classifier;
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
        public const string FeaturesColumnName = "Features";
        /// <summary>The CAM column.</summary>
        public const string CamColumnName = "Cam";
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
        /// <summary>Input feature maps [.., D, h, w].</summary>
        public string FeaturesColumnName { get; set; } = Defaults.FeaturesColumnName;
        /// <summary>Input CAMs [.., C, H, W], values in [0, 1].</summary>
        public string CamColumnName { get; set; } = Defaults.CamColumnName;
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
        var shape = CheckInput(input.Schema);
        var head = o.Classifier ?? HeadFromAnnotation(input.Schema, shape.ClassCount, shape.FeatureDim);
        if (head.ClassCount != shape.ClassCount || head.FeatureDim != shape.FeatureDim)
            throw new ArgumentException($"The classifier is {head.ClassCount} x {head.FeatureDim}; expected C x D = {shape.ClassCount} x {shape.FeatureDim} (label slots x feature channels).");

        var fitter = new PrototypeFitter(shape.ClassCount, o.Fitting);
        int images = Stream(input, shape, fitter);
        string device = Engine.TorchDevice.Resolve(o.Fitting.Device).type.ToString();
        Log($"LocalPrototypes: {images} images streamed; clustering {shape.ClassCount} classes (K = {o.Fitting.Clusters}) on {device}.");
        PrototypeFitResult result;
        using (var weights = tensor(head.Weights, new long[] { head.ClassCount, head.FeatureDim }))
            result = fitter.Fit(weights);

        var names = o.ClassNames ?? Enumerable.Range(0, shape.ClassCount).Select(i => $"class_{i}").ToArray();
        var metadata = Metadata(result, names);
        metadata["lpcam.cluster_device"] = device;
        var graph = Compile(result.Prototypes, shape, metadata);
        var outputs = o.ForegroundOnlyColumnName is { } fo ? new[] { o.OutputColumnName, fo } : [o.OutputColumnName];
        return new LpCamTransformer(Run(input, graph, [o.FeaturesColumnName], outputs), metadata, result, names, o.OutputColumnName, o.ForegroundOnlyColumnName);
    }

    /// <inheritdoc />
    private protected override string CheckInputShape(SchemaShape inputSchema)
    {
        var o = EstimatorOptions;
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.FeaturesColumnName, "features"), NumberDataViewType.Single, "features", "a known-size vector of Single");
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.CamColumnName, "CAM"), NumberDataViewType.Single, "CAM", "a known-size vector of Single");
        SchemaChecks.Vector(SchemaChecks.Find(inputSchema, o.LabelColumnName, "labels"), NumberDataViewType.Single, "labels", "a known-size vector of Single");
        return o.FeaturesColumnName;
    }

    /// <inheritdoc />
    private protected override IReadOnlyList<(string Name, bool Bytes)> OutputColumns =>
        EstimatorOptions.ForegroundOnlyColumnName is { } fo ? [(EstimatorOptions.OutputColumnName, false), (fo, false)] : [(EstimatorOptions.OutputColumnName, false)];

    /// <inheritdoc />
    private protected override Action<string>? OptionsLog => EstimatorOptions.Log;

    private readonly record struct InputShape(int ClassCount, int FeatureDim, int FeatureHeight, int FeatureWidth, int Height, int Width);

    private InputShape CheckInput(DataViewSchema schema)
    {
        var o = EstimatorOptions;
        var labels = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.LabelColumnName, "labels"), NumberDataViewType.Single,
            "labels", "a known-size vector of Single (multi-hot, one slot per class)");
        int c = labels.Size;
        var features = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.FeaturesColumnName, "features"), NumberDataViewType.Single,
            "features", "a known-size vector of Single with dimensions [.., D, h, w] (CamFeaturizer's Features)");
        var fd = features.Dimensions;
        if (fd.Length < 3 || features.Size != fd[^3] * fd[^2] * fd[^1])
            throw SchemaChecks.Mismatch(o.FeaturesColumnName, "features", "dimensions [.., D, h, w]", $"dimensions [{string.Join(", ", fd)}]");
        var cam = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, o.CamColumnName, "CAM"), NumberDataViewType.Single,
            "CAM", $"a known-size vector of Single with dimensions [.., {c}, H, W]");
        var (h, w) = SchemaChecks.MapSize(cam, c, o.CamColumnName, "CAM");
        return new InputShape(c, fd[^3], fd[^2], fd[^1], h, w);
    }

    private ClassifierHead HeadFromAnnotation(DataViewSchema schema, int classCount, int featureDim)
    {
        var o = EstimatorOptions;
        var column = schema[o.CamColumnName];
        var annotation = column.Annotations.Schema.GetColumnOrNull(CamFeaturizerTransformer.ClassifierWeightsAnnotation);
        if (annotation is null)
            throw new InvalidOperationException(
                $"Column '{o.CamColumnName}' carries no classifier weights (annotation '{CamFeaturizerTransformer.ClassifierWeightsAnnotation}'): " +
                "it comes from a CamFeaturizer fitted in this process only. Set Options.Classifier, for example to " +
                "LpCamModelInfo.ReadClassifierHead(savedModelZip).");
        VBuffer<float> weights = default;
        column.Annotations.GetValue(CamFeaturizerTransformer.ClassifierWeightsAnnotation, ref weights);
        return new ClassifierHead(classCount, featureDim, weights.DenseValues().ToArray());
    }

    private int Stream(IDataView input, InputShape shape, PrototypeFitter fitter)
    {
        var o = EstimatorOptions;
        var featuresColumn = input.Schema[o.FeaturesColumnName];
        var camColumn = input.Schema[o.CamColumnName];
        var labelColumn = input.Schema[o.LabelColumnName];
        using var cursor = input.GetRowCursor(new[] { featuresColumn, camColumn, labelColumn });
        var getFeatures = cursor.GetGetter<VBuffer<float>>(featuresColumn);
        var getCam = cursor.GetGetter<VBuffer<float>>(camColumn);
        var getLabels = cursor.GetGetter<VBuffer<float>>(labelColumn);
        VBuffer<float> f = default, cam = default, label = default;
        int images = 0, plane = shape.Height * shape.Width;
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
            getCam(ref cam);
            var camValues = cam.GetValues();
            var selected = new float[classes.Count * plane];
            for (int k = 0; k < classes.Count; k++)
                (cam.IsDense ? camValues.Slice(classes[k] * plane, plane) : cam.DenseValues().Skip(classes[k] * plane).Take(plane).ToArray())
                    .CopyTo(selected.AsSpan(k * plane));
            using var scope = NewDisposeScope();
            var features = tensor(f.DenseValues().ToArray(), new long[] { shape.FeatureDim, shape.FeatureHeight, shape.FeatureWidth });
            var cams = tensor(selected, new long[] { classes.Count, shape.Height, shape.Width });
            try
            {
                fitter.Add(features, cams, classes);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Row {row}: {e.Message}", e);
            }
            if (++images % 50 == 0) Log($"LocalPrototypes: {images} images streamed.");
        }
        return images;
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

    private byte[] Compile(PrototypeSet set, InputShape shape, Dictionary<string, string> metadata)
    {
        var o = EstimatorOptions;
        var maps = new List<(float[], string)>();
        using (var lpcam = new LocalPrototypeMap(set))
            maps.Add((lpcam.EffectiveWeights.data<float>().ToArray(), o.OutputColumnName));
        if (o.ForegroundOnlyColumnName is { } fo)
            using (var lpcamF = new LocalPrototypeMap(set, foregroundOnly: true))
                maps.Add((lpcamF.EffectiveWeights.data<float>().ToArray(), fo));
        var graph = MapGraph.Build(maps, shape.ClassCount, shape.FeatureDim, normalizeFeatures: true, shape.Height, shape.Width, o.FeaturesColumnName, null, metadata);
        var shapes = new Dictionary<string, long[]> { [o.FeaturesColumnName] = new long[] { 1, shape.FeatureDim, shape.FeatureHeight, shape.FeatureWidth } };
        foreach (var (_, name) in maps) shapes[name] = new long[] { 1, shape.ClassCount, shape.Height, shape.Width };
        graph = OnnxComposer.FixShapes(graph, shapes);
        return InputGuardGraph.InsertFinite(graph, o.FeaturesColumnName, "feature maps (CamFeaturizer's output)");
    }
}
