using LpCam.MLNet.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// Splits each image's local features into the foreground set F_n and the context set B_n of each of its classes
/// (lpcam-algorithm.md, section 2.1) and keeps a bounded uniform sample of each set (<see cref="ReservoirSampler"/>).
/// </summary>
/// <remarks>
/// <para>For image x labelled with class n, CAM_n is resized to the feature map's h x w by nearest neighbour (as the
/// reference does from its full-resolution CAM); the feature vector at position p joins F_n when CAM_n(p) &gt; tau and
/// B_n when CAM_n(p) &lt; tau. Positions where CAM_n equals tau exactly join neither set. CAM values are expected in
/// [0, 1] but only checked to be finite: the split needs nothing more than the comparison with tau.</para>
/// <para>Memory is at most 2 x ClassCount x SampleCap x D floats, however many images are added; each sample grows only
/// as rows arrive, so small data sets use less.</para>
/// <para>Deterministic: the same images in the same order with the same seed give the same samples (each reservoir draws
/// from its own generator, seeded from the seed, the class and the set).</para>
/// </remarks>
public sealed class PrototypeSampleAccumulator
{
    /// <summary>Default tau, the CAM value splitting foreground from context: 0.1 (the paper's VOC value; COCO: 0.25).</summary>
    public const float DefaultTau = 0.1f;

    /// <summary>
    /// Default most rows kept per set (per class, per foreground/context): 20,000. K = 12-20 clusters then get 1,000-1,700
    /// members each on average (the noise of a mean shrinks as 1/sqrt(members)), while the worst
    /// case stays bounded: 20 classes x 2 sets x 20,000 x 512 floats x 4 bytes = 1.6 GB for ResNet-18 features (6.6 GB at
    /// D = 2048), reached only when every set exceeds the cap; larger sets are sub-sampled uniformly.
    /// </summary>
    public const int DefaultSampleCap = 20_000;

    private readonly ReservoirSampler?[] _foreground;
    private readonly ReservoirSampler?[] _context;
    private readonly int[] _images;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="classCount">C, the number of object classes; class indices run 0..C-1.</param>
    /// <param name="tau">Foreground threshold on the CAM, in (0, 1).</param>
    /// <param name="sampleCap">Most rows kept per class and set; at least 1.</param>
    /// <param name="seed">Seed of the reservoirs.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range.</exception>
    public PrototypeSampleAccumulator(int classCount, float tau = DefaultTau, int sampleCap = DefaultSampleCap, int seed = 0)
        : this(classCount, tau, sampleCap, seed, deferRows: false)
    {
    }

    /// <summary>
    /// Creates an empty accumulator that, with <paramref name="deferRows"/>, keeps only the key (image key, position) of
    /// every sampled feature row (<see cref="ReservoirSampler.ForKeys"/>): memory stays a few bytes per sampled row whatever
    /// the number of images, and the rows are read back from the caller's features when a set is clustered
    /// (<see cref="PrototypeFitter.Fit(Tensor, ImageFeaturesReader)"/>). The sample is the same as without deferral.
    /// </summary>
    /// <param name="classCount">C, the number of object classes; at least 1.</param>
    /// <param name="tau">The CAM threshold tau, strictly between 0 and 1.</param>
    /// <param name="sampleCap">The most rows kept per class and per set; at least 1.</param>
    /// <param name="seed">Seed of the per-class samplers.</param>
    /// <param name="deferRows">Keep keys instead of rows; images are then added with an image key.</param>
    public PrototypeSampleAccumulator(int classCount, float tau, int sampleCap, int seed, bool deferRows)
    {
        if (classCount < 1)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"classCount was {classCount}; expected at least 1.");
        if (!(tau > 0 && tau < 1))
            throw new ArgumentOutOfRangeException(nameof(tau), tau, $"tau was {tau}; expected a value strictly between 0 and 1 (CAMs are normalised to [0, 1]).");
        if (sampleCap < 1)
            throw new ArgumentOutOfRangeException(nameof(sampleCap), sampleCap, $"sampleCap was {sampleCap}; expected at least 1.");
        ClassCount = classCount;
        Tau = tau;
        SampleCap = sampleCap;
        Seed = seed;
        _foreground = new ReservoirSampler?[classCount];
        _context = new ReservoirSampler?[classCount];
        _images = new int[classCount];
        DeferRows = deferRows;
    }

    /// <summary>Whether the samplers keep (image key, position) keys instead of feature rows.</summary>
    public bool DeferRows { get; }

    /// <summary>The image key of a sampled row's key (see <see cref="DeferRows"/>).</summary>
    public static int ImageOfKey(long key) => (int)(key >> 32);

    /// <summary>The feature position (y * w + x) of a sampled row's key (see <see cref="DeferRows"/>).</summary>
    public static int PositionOfKey(long key) => (int)(key & 0xFFFFFFFF);

    /// <summary>C, the number of object classes.</summary>
    public int ClassCount { get; }

    /// <summary>Foreground threshold on the CAM.</summary>
    public float Tau { get; }

    /// <summary>Most rows kept per class and set.</summary>
    public int SampleCap { get; }

    /// <summary>Seed of the reservoirs.</summary>
    public int Seed { get; }

    /// <summary>D, the feature channel count, fixed by the first image; null before it.</summary>
    public int? FeatureDim { get; private set; }

    /// <summary>Images added so far.</summary>
    public int ImageCount { get; private set; }

    /// <summary>Images added so far that are labelled with class <paramref name="classIndex"/>.</summary>
    public int ImagesOfClass(int classIndex) => _images[CheckClass(classIndex)];

    /// <summary>The foreground sample F_n of class <paramref name="classIndex"/>; null when no image of it was added yet.</summary>
    public ReservoirSampler? Foreground(int classIndex) => _foreground[CheckClass(classIndex)];

    /// <summary>The context sample B_n of class <paramref name="classIndex"/>; null when no image of it was added yet.</summary>
    public ReservoirSampler? Context(int classIndex) => _context[CheckClass(classIndex)];

    /// <summary>Adds one image.</summary>
    /// <param name="features">Its feature map f(x), float [D, h, w], any device.</param>
    /// <param name="cams">CAM of its k ground-truth classes, float [k, H', W'] with values in [0, 1] (any resolution).</param>
    /// <param name="classIndices">The k class indices, in the order of <paramref name="cams"/>; distinct.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank, type or size, holds NaN or infinite values, a class
    /// index is out of range or repeated, or D differs from earlier images.</exception>
    public void Add(Tensor features, Tensor cams, IReadOnlyList<int> classIndices)
    {
        if (DeferRows)
            throw new InvalidOperationException("This accumulator defers rows: add images with an image key.");
        Add(features, cams, classIndices, 0);
    }

    /// <summary>
    /// Adds one image as <see cref="Add(Tensor, Tensor, IReadOnlyList{int})"/> does; with <see cref="DeferRows"/> the
    /// samplers keep (<paramref name="imageKey"/>, position) instead of the rows, and the caller must give the same
    /// features back for this key when the prototypes are fitted.
    /// </summary>
    /// <param name="features">[D, h, w] float features of the image.</param>
    /// <param name="cams">[k, H', W'] CAMs of the image's k classes.</param>
    /// <param name="classIndices">The k class indices, in the order of <paramref name="cams"/>.</param>
    /// <param name="imageKey">The caller's key of the image (not negative), e.g. its index in the dataset.</param>
    public void Add(Tensor features, Tensor cams, IReadOnlyList<int> classIndices, int imageKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(imageKey);
        ArgumentNullException.ThrowIfNull(classIndices);
        TensorChecks.RequireFloat(features, 3, nameof(features), "[D, h, w] feature map of one image");
        TensorChecks.RequireFloat(cams, 3, nameof(cams), "[k, H', W'] CAM of the image's k classes");
        long d = features.shape[0];
        long h = features.shape[1];
        long w = features.shape[2];
        if (d < 1 || h < 1 || w < 1)
            throw new ArgumentException($"features has shape {TensorChecks.Shape(features)}; expected [D, h, w] with every size at least 1.", nameof(features));
        if (FeatureDim is int known && known != d)
            throw new ArgumentException($"features has shape {TensorChecks.Shape(features)}: D = {d}; expected D = {known} like the earlier images.", nameof(features));
        if (cams.shape[0] != classIndices.Count)
            throw new ArgumentException($"cams has shape {TensorChecks.Shape(cams)}: {cams.shape[0]} maps; expected one per class index ({classIndices.Count}).", nameof(cams));
        if (cams.shape[1] < 1 || cams.shape[2] < 1)
            throw new ArgumentException($"cams has shape {TensorChecks.Shape(cams)}; expected [k, H', W'] with H', W' at least 1.", nameof(cams));
        var seen = new HashSet<int>();
        for (int i = 0; i < classIndices.Count; i++)
        {
            int c = classIndices[i];
            if (c < 0 || c >= ClassCount)
                throw new ArgumentException($"classIndices[{i}] = {c}; expected a class index in 0..{ClassCount - 1}.", nameof(classIndices));
            if (!seen.Add(c))
                throw new ArgumentException($"classIndices[{i}] = {c} is repeated; expected distinct class indices.", nameof(classIndices));
        }
        TensorChecks.RequireFinite(features, nameof(features), "[D, h, w] feature map of one image");
        TensorChecks.RequireFinite(cams, nameof(cams), "[k, H', W'] CAM values in [0, 1]");

        if (FeatureDim is null)
            FeatureDim = (int)d;
        ImageCount++;
        if (classIndices.Count == 0)
            return;

        using var scope = NewDisposeScope();
        // Rows: one D-vector per position, row-major over (y, x).
        float[] rows = DeferRows ? Array.Empty<float>() : TensorChecks.ToFloatArray(features.reshape(d, h * w).t());
        var resized = nn.functional.interpolate(cams.detach().to_type(ScalarType.Float32).unsqueeze(0), size: new long[] { h, w }, mode: InterpolationMode.Nearest);
        float[] maps = TensorChecks.ToFloatArray(resized);

        int dim = (int)d;
        int positions = (int)(h * w);
        for (int i = 0; i < classIndices.Count; i++)
        {
            int c = classIndices[i];
            _images[c]++;
            var fg = _foreground[c] ??= NewSampler(dim, DeriveSeed(Seed, c, 0));
            var bg = _context[c] ??= NewSampler(dim, DeriveSeed(Seed, c, 1));
            var map = maps.AsSpan(i * positions, positions);
            if (DeferRows)
            {
                for (int p = 0; p < positions; p++)
                {
                    long key = ((long)imageKey << 32) | (uint)p;
                    if (map[p] > Tau)
                        fg.AddKey(key);
                    else if (map[p] < Tau)
                        bg.AddKey(key);
                }
                continue;
            }
            for (int p = 0; p < positions; p++)
            {
                var row = rows.AsSpan(p * dim, dim);
                if (map[p] > Tau)
                    fg.Add(row);
                else if (map[p] < Tau)
                    bg.Add(row);
            }
        }
    }

    /// <summary>A seed per (seed, class, set), mixed with SplitMix64 so nearby seeds give unrelated streams.</summary>
    private ReservoirSampler NewSampler(int dim, int seed) =>
        DeferRows ? ReservoirSampler.ForKeys(dim, SampleCap, seed) : new ReservoirSampler(dim, SampleCap, seed);

    internal static int DeriveSeed(int seed, int classIndex, int set)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)classIndex * 0xBF58476D1CE4E5B9UL + (ulong)set * 0x94D049BB133111EBUL + 0x2545F4914F6CDD1DUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return unchecked((int)z);
    }

    private int CheckClass(int classIndex)
    {
        if (classIndex < 0 || classIndex >= ClassCount)
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"classIndex was {classIndex}; expected 0..{ClassCount - 1}.");
        return classIndex;
    }
}
