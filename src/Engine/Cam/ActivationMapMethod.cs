using LpCam.MLNet.Engine.Features;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Cam;

/// <summary>
/// The shared part of every activation-map method (CAM, LPCAM, LPCAM-F): the multi-scale and flip aggregation, the
/// bilinear resize to the output size, and the per-class max normalisation. A method only says how one scale's features
/// become non-negative class maps (<see cref="ScaleMaps"/>).
/// </summary>
/// <remarks>
/// For every scale, the method's map at the feature resolution is resized bilinearly (align_corners = false) to the
/// output size; the scale maps are summed, and each class map is divided by its own maximum plus <see cref="Epsilon"/>,
/// so an all-zero map stays all zero (never NaN). Summing and averaging over scales give the same normalised map.
/// </remarks>
public abstract class ActivationMapMethod
{
    /// <summary>Added to each class map's maximum before dividing (algorithm doc, sections 1 and 3).</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>Number of object classes the method scores.</summary>
    public abstract int ClassCount { get; }

    /// <summary>Feature dimension D the method expects.</summary>
    public abstract int FeatureDim { get; }

    /// <summary>
    /// Computes normalised maps [B, k, height, width] for the <paramref name="classes"/> (all classes when null) from the
    /// features of one or more scales.
    /// </summary>
    /// <param name="scales">The features at each inference scale; every entry holds the same batch of B images.</param>
    /// <param name="height">Output height (for example the image height, or its stride-4 size).</param>
    /// <param name="width">Output width.</param>
    /// <param name="classes">Zero-based class indices to compute, or null for every class.</param>
    /// <returns>A new [B, k, height, width] float32 tensor with values in [0, 1]; the caller disposes it.</returns>
    public Tensor Compute(IReadOnlyList<ScaleFeatures> scales, long height, long width, IReadOnlyList<int>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(scales);
        if (scales.Count == 0) throw new ArgumentException("Expected the features of at least one scale.", nameof(scales));
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        long batch = scales[0].Features.shape[0];
        for (int s = 0; s < scales.Count; s++)
        {
            var f = scales[s].Features;
            if (f.shape[1] != FeatureDim)
                throw new ArgumentException($"Tensor 'features' of scale {s} has shape {TensorChecks.Shape(f)}; expected {FeatureDim} channels (the method's feature dimension D).", nameof(scales));
            if (f.shape[0] != batch)
                throw new ArgumentException($"Tensor 'features' of scale {s} has shape {TensorChecks.Shape(f)}; expected the batch size {batch} of scale 0.", nameof(scales));
            TensorChecks.Finite(f, $"features (scale {s})");
            if (scales[s].FlippedFeatures is { } flipped) TensorChecks.Finite(flipped, $"flippedFeatures (scale {s})");
        }
        long[] rows = ClassRows(classes);

        using var scope = NewDisposeScope();
        using var index = tensor(rows, device: scales[0].Features.device);
        Tensor? sum = null;
        foreach (var scale in scales)
        {
            var maps = ScaleMaps(scale, index);
            var resized = ResizeBilinear(maps, height, width);
            sum = sum is null ? resized : sum.add_(resized);
        }
        return NormalizeByMax(sum!).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One scale's non-negative maps [B, k, h, w] at the feature resolution, for the class rows in <paramref name="classIndex"/>
    /// (a 1-D int64 tensor); flipped features, when present, must be un-flipped and combined by the method's own rule.
    /// </summary>
    protected abstract Tensor ScaleMaps(ScaleFeatures scale, Tensor classIndex);

    /// <summary>Bilinear resize (align_corners = false) of [B, k, h, w] maps to [B, k, height, width].</summary>
    public static Tensor ResizeBilinear(Tensor maps, long height, long width) =>
        maps.shape[2] == height && maps.shape[3] == width
            ? maps.alias()
            : nn.functional.interpolate(maps, new[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Divides each [h, w] map of a [B, k, h, w] tensor by its own maximum plus <see cref="Epsilon"/>.</summary>
    public static Tensor NormalizeByMax(Tensor maps)
    {
        using var scope = NewDisposeScope();
        var max = maps.amax(new long[] { 2, 3 }, keepdim: true);
        return maps.div(max.add_(Epsilon)).MoveToOuterDisposeScope();
    }

    private long[] ClassRows(IReadOnlyList<int>? classes)
    {
        if (classes is null) return Enumerable.Range(0, ClassCount).Select(i => (long)i).ToArray();
        foreach (int c in classes)
            if (c < 0 || c >= ClassCount)
                throw new ArgumentOutOfRangeException(nameof(classes), c, $"Class index {c} is outside 0..{ClassCount - 1}.");
        return classes.Select(i => (long)i).ToArray();
    }
}
