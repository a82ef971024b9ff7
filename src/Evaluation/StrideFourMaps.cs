using LpCam.MLNet.Data;
using LpCam.MLNet.Engine.Cam;
using static TorchSharp.torch;

namespace LpCam.MLNet.Evaluation;

/// <summary>
/// Brings the components' stride-4 outputs (CAM, LPCAM, seed masks: ceil(H / 4) x ceil(W / 4), the MapSize column) to the
/// image's own H x W (the ImageSize column), as the CLI does before it scores seeds against original-resolution ground truth.
/// </summary>
public static class StrideFourMaps
{
    /// <summary>
    /// Class maps [k, h, w] resized bilinearly (align_corners = false, the engine's resize) to [k, height, width]; seeds made
    /// from them at a threshold are the CLI's full-resolution seeds.
    /// </summary>
    /// <exception cref="ArgumentException">The maps do not hold a whole number of h x w planes.</exception>
    public static float[] MapsToImageSize(ReadOnlySpan<float> maps, int h, int w, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(h, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(w, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (maps.Length % ((long)h * w) != 0)
            throw new ArgumentException($"The maps hold {maps.Length} values, not a whole number of {h} x {w} planes.", nameof(maps));
        int k = (int)(maps.Length / ((long)h * w));
        if (k == 0) return [];
        using var scope = NewDisposeScope();
        var full = ActivationMapMethod.ResizeBilinear(tensor(maps.ToArray(), new long[] { 1, k, h, w }), height, width);
        return full.contiguous().data<float>().ToArray();
    }

    /// <summary>A seed mask [h, w] scaled to [height, width] with nearest-neighbour sampling (labels are never blended).</summary>
    public static byte[] SeedsToImageSize(ReadOnlySpan<byte> seeds, int h, int w, int height, int width) =>
        LabelMasks.ResizeNearest(seeds, h, w, height, width);
}
