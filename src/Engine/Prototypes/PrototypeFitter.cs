using System.Runtime.InteropServices;
using LpCam.MLNet.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// Fits LPCAM's local prototypes (paper Eqs. 2-4, lpcam-algorithm.md section 2) in one streaming pass: add the training
/// images one at a time (<see cref="Add(Tensor, Tensor, IReadOnlyList{int})"/>), then cluster each class's foreground and context samples and select the
/// prototypes against the classifier (<see cref="Fit(Tensor)"/>).
/// </summary>
/// <remarks>
/// <para>Memory is bounded by the per-set sample cap, not by the number of images (<see cref="PrototypeSampleAccumulator"/>).</para>
/// <para>Edge cases: a class with no image, or whose images never put CAM above tau (empty foreground), makes
/// <see cref="Fit(Tensor)"/> throw, naming the class: it could have no class prototype. A set with fewer sampled rows than K is
/// clustered into K' = its row count clusters, and the report says so (<see cref="ClassFitReport.ClustersReduced"/>). A
/// class with no context rows gets no context prototypes (LPCAM then uses FG_n alone for it).</para>
/// <example><code>
/// var fitter = new PrototypeFitter(classCount: 20, new PrototypeFitterOptions { Seed = 1 });
/// foreach (var (features, cams, labels) in trainingImages)
///     fitter.Add(features, cams, labels);
/// PrototypeFitResult fit = fitter.Fit(classifierWeights);   // W: [20, D]
/// </code></example>
/// </remarks>
public sealed class PrototypeFitter
{
    private readonly Device _device;
    private ImageFeaturesReader? _imageFeatures;

    // Deferred rows are read back per set: across workers at most one full sample (SampleCap rows, plus k-means' unit
    // copy of them) is in memory, so the peak does not grow with the images once the largest sets reach the cap.
    private readonly RowBudget _rowBudget;

    /// <summary>Creates a fitter for <paramref name="classCount"/> object classes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classCount"/> is below 1, or a setting of
    /// <paramref name="options"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The device is unknown or not available.</exception>
    public PrototypeFitter(int classCount, PrototypeFitterOptions? options = null)
        : this(classCount, options, deferRows: false)
    {
    }

    /// <summary>
    /// Creates a fitter that, with <paramref name="deferRows"/>, samples (image key, position) keys instead of feature rows
    /// (<see cref="PrototypeSampleAccumulator.DeferRows"/>): memory no longer grows with the images added; images are
    /// added with a key (<see cref="Add(Tensor, Tensor, IReadOnlyList{int}, int)"/>) and <see cref="Fit(Tensor, ImageFeaturesReader)"/>
    /// reads each set's rows back through the caller, one set at a time. The prototypes are the same as without deferral.
    /// </summary>
    /// <param name="classCount">C, the number of object classes; at least 1.</param>
    /// <param name="options">The settings; null for the defaults.</param>
    /// <param name="deferRows">Keep keys instead of rows.</param>
    public PrototypeFitter(int classCount, PrototypeFitterOptions? options, bool deferRows)
    {
        if (classCount < 1)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"classCount was {classCount}; expected at least 1.");
        Options = options ?? new PrototypeFitterOptions();
        Options.Validate();
        _device = TorchDevice.Resolve(Options.Device);
        ClassCount = classCount;
        Samples = new PrototypeSampleAccumulator(classCount, Options.Tau, Options.SampleCap, Options.Seed, deferRows);
        _rowBudget = new RowBudget(Options.SampleCap);
    }

    /// <summary>The settings in use.</summary>
    public PrototypeFitterOptions Options { get; }

    /// <summary>C, the number of object classes.</summary>
    public int ClassCount { get; }

    /// <summary>The per-class samples gathered so far.</summary>
    public PrototypeSampleAccumulator Samples { get; }

    /// <summary>Adds one training image (see <see cref="PrototypeSampleAccumulator.Add(Tensor, Tensor, IReadOnlyList{int})"/>).</summary>
    /// <param name="features">Its single-scale, un-flipped feature map, float [D, h, w].</param>
    /// <param name="cams">CAM of its k ground-truth classes, float [k, H', W'] in [0, 1].</param>
    /// <param name="classIndices">The k class indices, in the order of <paramref name="cams"/>.</param>
    /// <exception cref="ArgumentException">Invalid shapes, values or class indices.</exception>
    public void Add(Tensor features, Tensor cams, IReadOnlyList<int> classIndices) => Samples.Add(features, cams, classIndices);

    /// <summary>Adds one training image under <paramref name="imageKey"/> (see <see cref="PrototypeSampleAccumulator.Add(Tensor, Tensor, IReadOnlyList{int}, int)"/>).</summary>
    public void Add(Tensor features, Tensor cams, IReadOnlyList<int> classIndices, int imageKey) => Samples.Add(features, cams, classIndices, imageKey);

    /// <summary>Clusters every class's samples and selects its prototypes.</summary>
    /// <param name="classifierWeights">W, float [C, D], no bias, any device.</param>
    /// <returns>The prototype set and one report per class.</returns>
    /// <exception cref="ArgumentException"><paramref name="classifierWeights"/> is not [C, D] for this fitter's C and the
    /// images' D, or holds NaN or infinite values.</exception>
    /// <exception cref="InvalidOperationException">No image was added; or, with ClassifierFallback off, some class has no image or an empty foreground
    /// sample (the message names the classes).</exception>
    public PrototypeFitResult Fit(Tensor classifierWeights) => Fit(classifierWeights, (ImageFeaturesReader?)null);

    /// <summary>
    /// Clusters every class's samples and selects its prototypes; a fitter with deferred rows reads the rows of each set
    /// through <paramref name="imageFeatures"/> just before clustering it and drops them after, so at most one set's rows
    /// per worker are in memory. <see cref="Fit(Tensor, ImageFeaturesReader)"/> does the same through one reused buffer.
    /// </summary>
    /// <param name="classifierWeights">W, float [C, D], no bias, any device.</param>
    /// <param name="imageFeatures">For an image key given to Add: the same [D, h, w] features, C order. Required when the
    /// rows are deferred; unused otherwise.</param>
    /// <returns>The prototype set and one report per class.</returns>
    public PrototypeFitResult Fit(Tensor classifierWeights, Func<int, float[]>? imageFeatures) =>
        Fit(classifierWeights, imageFeatures is null ? null : (int key, ref float[] buffer) =>
        {
            buffer = imageFeatures(key) ?? throw new InvalidOperationException($"No features were given for image key {key}.");
            return buffer.Length;
        });

    /// <summary>
    /// Clusters every class's samples and selects its prototypes; a fitter with deferred rows reads each set's rows through
    /// <paramref name="imageFeatures"/> into one reused buffer, straight into the tensor it clusters, just before
    /// clustering it, and drops them after: per worker at most one set's rows are in memory, and reading the images leaves
    /// no garbage.
    /// </summary>
    /// <param name="classifierWeights">W, float [C, D], no bias, any device.</param>
    /// <param name="imageFeatures">Reads the features of an image key given to Add. Required when the rows are deferred;
    /// unused otherwise.</param>
    /// <returns>The prototype set and one report per class.</returns>
    public PrototypeFitResult Fit(Tensor classifierWeights, ImageFeaturesReader? imageFeatures)
    {
        if (Samples.DeferRows && imageFeatures is null)
            throw new ArgumentNullException(nameof(imageFeatures), "The rows are deferred: give the features of each image key.");
        _imageFeatures = imageFeatures;
        const string expected = "[C, D] classifier weights W (no bias)";
        TensorChecks.RequireFloat(classifierWeights, 2, nameof(classifierWeights), expected);
        if (Samples.FeatureDim is not int d)
            throw new InvalidOperationException("No image was added: call Add for every training image before Fit.");
        if (classifierWeights.shape[0] != ClassCount || classifierWeights.shape[1] != d)
            throw new ArgumentException($"classifierWeights has shape {TensorChecks.Shape(classifierWeights)}; expected [C, D] = [{ClassCount}, {d}] (the fitter's classes and the features' channels).", nameof(classifierWeights));
        TensorChecks.RequireFinite(classifierWeights, nameof(classifierWeights), expected);

        var noImages = Enumerable.Range(0, ClassCount).Where(c => Samples.ImagesOfClass(c) == 0).ToList();
        if (noImages.Count > 0 && !Options.ClassifierFallback)
            throw new InvalidOperationException($"No image of class index {string.Join(", ", noImages)} was added; every class needs images to get prototypes.");
        var noForeground = Enumerable.Range(0, ClassCount).Where(c => Samples.ImagesOfClass(c) > 0 && Samples.Foreground(c)!.Count == 0).ToList();
        if (noForeground.Count > 0 && !Options.ClassifierFallback)
            throw new InvalidOperationException($"Class index {string.Join(", ", noForeground)} has an empty foreground sample: no position of its images has CAM > tau = {Options.Tau}; expected CAMs normalised to [0, 1] with a maximum above tau.");

        using var scope = NewDisposeScope();
        var weights = classifierWeights.detach().to(_device);
        var selector = new PrototypeSelector(Options.SelectionOptions);
        var classes = new ClassPrototypes[ClassCount];
        var reports = new ClassFitReport[ClassCount];
        void FitClass(int c)
        {
            using var classScope = NewDisposeScope();
            if (Samples.ImagesOfClass(c) == 0 || Samples.Foreground(c)!.Count == 0)
            {
                (classes[c], reports[c]) = ClassifierDirection(c, weights);
                return;
            }
            var fgSample = Samples.Foreground(c)!;
            var bgSample = Samples.Context(c)!;
            var fg = Cluster(fgSample, c, 0);
            var bg = bgSample.Count == 0 ? null : Cluster(bgSample, c, 1);
            var (prototypes, selection) = selector.Select(c, fg, bg, weights);
            classes[c] = prototypes;
            reports[c] = new ClassFitReport(
                c, Samples.ImagesOfClass(c),
                fgSample.RowsSeen, bgSample.RowsSeen, fgSample.Count, bgSample.Count,
                fg.ClusterCount, bg?.ClusterCount ?? 0,
                fgSample.Count < Options.Clusters || (bgSample.Count > 0 && bgSample.Count < Options.Clusters),
                fg.Report, bg?.Report, selection);
        }
        if (Options.Workers == 1)
            for (int c = 0; c < ClassCount; c++)
                FitClass(c);
        else
        {
            try
            {
                Parallel.For(0, ClassCount, new ParallelOptions { MaxDegreeOfParallelism = Options.Workers }, FitClass);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }
        return new PrototypeFitResult(new PrototypeSet(d, classes), reports);
    }

    private KMeansResult Cluster(ReservoirSampler sample, int classIndex, int set)
    {
        using var scope = NewDisposeScope();
        int k = Math.Min(Options.Clusters, sample.Count);
        var kmeans = new SphericalKMeans(Options.KMeans(k, PrototypeSampleAccumulator.DeriveSeed(Options.Seed, classIndex, set + 2)));
        if (!sample.KeysOnly)
            return kmeans.Fit(sample.ToTensor(_device));
        long taken = _rowBudget.Take(sample.Count);
        try
        {
            // Disposed before the budget is given back (k-means frees its own copies when it returns).
            using var rows = GatherRows(sample, _imageFeatures!);
            if (_device.type == DeviceType.CPU)
                return kmeans.Fit(rows);
            using var onDevice = rows.to(_device);
            return kmeans.Fit(onDevice);
        }
        finally
        {
            NativeHeap.Trim(); // the freed rows and k-means copies would otherwise stay resident in glibc's heaps
            _rowBudget.Release(taken);
        }
    }

    /// <summary>
    /// The rows of a key sampler's keys as a new CPU tensor [Count, D] in slot order, reading each image's features once
    /// into one buffer and writing the rows straight into the tensor's memory (no managed copy of the set).
    /// </summary>
    private static Tensor GatherRows(ReservoirSampler sample, ImageFeaturesReader imageFeatures)
    {
        int dim = sample.Dimension;
        var slotsByImage = new SortedDictionary<int, List<int>>();
        var keys = sample.Keys;
        for (int slot = 0; slot < keys.Length; slot++)
        {
            int image = PrototypeSampleAccumulator.ImageOfKey(keys[slot]);
            if (!slotsByImage.TryGetValue(image, out var slots))
                slotsByImage[image] = slots = new List<int>();
            slots.Add(slot);
        }
        var tensor = empty(sample.Count, dim, dtype: ScalarType.Float32);
        var rows = MemoryMarshal.Cast<byte, float>(tensor.bytes);
        var f = Array.Empty<float>();
        foreach (var (image, slots) in slotsByImage)
        {
            int length = imageFeatures(image, ref f);
            if (length < 0 || length > f.Length || length % dim != 0)
                throw new InvalidOperationException($"The features of image key {image} hold {length} values; expected D x h x w with D = {dim}.");
            int positions = length / dim;
            foreach (int slot in slots)
            {
                int p = PrototypeSampleAccumulator.PositionOfKey(keys[slot]);
                if (p >= positions)
                    throw new InvalidOperationException($"The features of image key {image} have {positions} positions; a sampled row is at position {p}.");
                var row = rows.Slice(slot * dim, dim);
                for (int d = 0; d < dim; d++)
                    row[d] = f[d * positions + p];
            }
        }
        return tensor;
    }

    /// <summary>The fallback of a class without foreground features: w_n / |w_n| as its only class prototype.</summary>
    private (ClassPrototypes, ClassFitReport) ClassifierDirection(int c, Tensor weights)
    {
        var w = TensorChecks.ToFloatArray(weights.select(0, c));
        double norm = Math.Sqrt(w.Sum(v => (double)v * v));
        var unit = w.Select(v => (float)(v / Math.Max(norm, 1e-12))).ToArray();
        float score = PrototypeSelector.Score(new[] { w }, weights, c)[0];
        var empty = new KMeansReport(Options.UpdateRule, 0, true, Array.Empty<double>(), Array.Empty<double>(), double.NaN, Array.Empty<int>(), 0);
        var selection = new SelectionReport(c, Options.Selection, new[] { score }, new[] { 0 }, Array.Empty<float>(), Array.Empty<int>(), FallbackUsed: true);
        var fg = Samples.Foreground(c);
        var report = new ClassFitReport(c, Samples.ImagesOfClass(c), fg?.RowsSeen ?? 0, Samples.Context(c)?.RowsSeen ?? 0, 0, 0, 0, 0, false,
            empty, null, selection, ClassifierFallback: true);
        return (new ClassPrototypes(c, new[] { unit }, new[] { score }, Array.Empty<float[]>(), Array.Empty<float>()), report);
    }
}
