using LpCam.MLNet.Engine.Cam;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// The multi-scale + flip aggregation of <see cref="ActivationMapMethod"/> as graph nodes, over feature blocks [1, D, h, w]
/// whose mirror-image block is already mirrored back: per scale <c>ReLU(W f) + ReLU(W f')</c>, bilinear resize (half-pixel)
/// to the map size, sum over scales, each class map divided by its max + <see cref="ActivationMapMethod.Epsilon"/>.
/// CAM is this rule on the features; LPCAM is this rule on <see cref="UnitPairs"/> of the features (no mirror block).
/// </summary>
internal static class ActivationMapNodes
{
    /// <summary>Emits the maps [1, C, mapHeight, mapWidth] named <paramref name="output"/>.</summary>
    /// <param name="g">The graph.</param>
    /// <param name="scales">Per scale: the image's features and the mirror image's features mirrored back (or null).</param>
    /// <param name="weights">The [C, D, 1, 1] weight initializer.</param>
    /// <param name="classCount">C.</param>
    /// <param name="mapHeight">Output rows, an int64 [1] tensor.</param>
    /// <param name="mapWidth">Output columns, an int64 [1] tensor.</param>
    /// <param name="prefix">Prefix of the node outputs and initializers.</param>
    /// <param name="output">The output tensor name.</param>
    public static string Emit(OnnxGraphBuilder g, IReadOnlyList<(string Direct, string? Flipped)> scales, string weights, int classCount,
        string mapHeight, string mapWidth, string prefix, string output)
    {
        var sizes = g.Vector(prefix + "map_sizes", g.Int(prefix + "one", 1), g.Int(prefix + "classes", classCount), mapHeight, mapWidth);
        string? sum = null;
        for (int i = 0; i < scales.Count; i++)
        {
            string p = $"{prefix}s{i}_";
            var (direct, flipped) = scales[i];
            var maps = g.Node("Relu", [g.Node("Conv", [direct, weights], p + "scores")], p + "maps");
            if (flipped is not null)
                maps = g.Node("Add", [maps, g.Node("Relu", [g.Node("Conv", [flipped, weights], p + "scores_m")], p + "maps_m")], p + "maps_pair");
            var resized = g.Node("Resize", [maps, "", "", sizes], p + "resized",
                ("mode", "linear"), ("coordinate_transformation_mode", "pytorch_half_pixel"));
            sum = sum is null ? resized : g.Node("Add", [sum, resized], p + "sum");
        }
        var max = g.Node("ReduceMax", [sum!], prefix + "max", ("axes", new long[] { 2, 3 }), ("keepdims", 1L));
        var den = g.Node("Add", [max, g.Initializer(prefix + "epsilon", [], [ActivationMapMethod.Epsilon])], prefix + "den");
        return g.Node("Div", [sum!, den], output);
    }

    /// <summary>
    /// LPCAM's input per scale: the image's features plus its mirror image's (mirrored back), each position's vector divided
    /// by its L2 norm (at least 1e-12, as <c>F.normalize</c>), so that the CAM rule on them is <c>ReLU(W unit(f + f'))</c>.
    /// Emitted once and shared by every map made from the same features (LPCAM and LPCAM-F).
    /// </summary>
    public static IReadOnlyList<(string Direct, string? Flipped)> UnitPairs(OnnxGraphBuilder g, IReadOnlyList<(string Direct, string? Flipped)> scales, string prefix)
    {
        var result = new List<(string, string?)>(scales.Count);
        for (int i = 0; i < scales.Count; i++)
        {
            string p = $"{prefix}s{i}_";
            var (direct, flipped) = scales[i];
            var x = flipped is null ? direct : g.Node("Add", [direct, flipped], p + "paired");
            var norm = g.Node("ReduceL2", [x], p + "norm", ("axes", new long[] { 1 }), ("keepdims", 1L));
            var floor = g.Node("Max", [norm, g.Initializer(p + "norm_floor", [], [1e-12f])], p + "norm_floor_max");
            result.Add((g.Node("Div", [x, floor], p + "unit"), null));
        }
        return result;
    }
}
