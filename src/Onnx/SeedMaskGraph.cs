using LpCam.MLNet.Estimators;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Compiles the seed-mask rule into an ONNX graph: a constant background plane at the threshold stacked before the maps of
/// the image's classes (maps of absent classes zeroed), argmax over the stack, ties to the background (ONNX ArgMax returns
/// the first maximum). The same labels as <see cref="Engine.Seeds.SeedMasks.FromMaps(float[], int, int, IReadOnlyList{int}, float)"/>.
/// </summary>
internal static class SeedMaskGraph
{
    /// <summary>The graph's inputs and output.</summary>
    /// <param name="Maps">The maps [N, L] (C maps of H x W, flattened).</param>
    /// <param name="MapSize">The [1, 2] map size input (H, W); null when the maps have a fixed size.</param>
    /// <param name="Labels">Multi-hot labels [1, C]; null unless the classes read them.</param>
    /// <param name="Scores">Class scores [1, C]; null unless the classes read them.</param>
    /// <param name="Seed">The seed-mask output [N, H, W] (uint8; 0 = background, c + 1 = class c).</param>
    public sealed record Names(string Maps, string? MapSize, string? Labels, string? Scores, string Seed);

    /// <summary>Builds the graph.</summary>
    /// <param name="names">The tensor names.</param>
    /// <param name="classCount">C.</param>
    /// <param name="fixedSize">(H, W) when <see cref="Names.MapSize"/> is null.</param>
    /// <param name="threshold">Background threshold t.</param>
    /// <param name="classes">Where the classes come from.</param>
    /// <param name="scoreThreshold">Score above which a class counts as predicted.</param>
    /// <param name="metadata">Key/value pairs stored in the model's metadata_props.</param>
    public static byte[] Build(Names names, int classCount, (long Height, long Width) fixedSize, float threshold, SeedClasses classes,
        float scoreThreshold, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var g = new OnnxGraphBuilder("seed_masks", nodePrefix: "lpcam_");
        // Maps of one fixed size arrive as a known-size vector, whose shape ML.NET takes from the graph as it is.
        if (names.MapSize is null) g.Input(names.Maps, 1L, (long)classCount * fixedSize.Height * fixedSize.Width);
        else g.Input(names.Maps, "N", "L");
        foreach (var classInput in new[] { names.Labels, names.Scores }.OfType<string>()) g.Input(classInput, 1L, (long)classCount);
        string h, w;
        if (names.MapSize is { } mapSize)
        {
            g.Input(mapSize, 1L, 2L);
            var size = g.Node("Cast", [g.Node("Reshape", [mapSize, g.Int("lpcam_flat", -1)], "lpcam_size_flat")], "lpcam_size", ("to", (long)OnnxGraphBuilder.Int64Type));
            h = g.Node("Slice", [size, g.Int("lpcam_h_s", 0), g.Int("lpcam_h_e", 1)], "lpcam_h");
            w = g.Node("Slice", [size, g.Int("lpcam_w_s", 1), g.Int("lpcam_w_e", 2)], "lpcam_w");
        }
        else (h, w) = (g.Int("lpcam_h", fixedSize.Height), g.Int("lpcam_w", fixedSize.Width));
        var maps = g.Node("Reshape", [names.Maps, g.Vector("lpcam_maps_shape", g.Int("lpcam_one", 1), g.Int("lpcam_c", classCount), h, w)], "lpcam_maps");

        string Present(string input, float cut, string name)
        {
            var greater = g.Node("Greater", [input, g.Initializer(name + "_cut", [], [cut])], name);
            return g.Node("Cast", [greater], name + "_f", ("to", (long)OnnxGraphBuilder.FloatType));
        }
        string present = classes switch
        {
            SeedClasses.Labels => Present(names.Labels!, 0.5f, "lpcam_labelled"),
            SeedClasses.Predicted => Present(names.Scores!, scoreThreshold, "lpcam_predicted"),
            _ => LabelsOrPredicted(),
        };
        string LabelsOrPredicted()
        {
            var labelled = Present(names.Labels!, 0.5f, "lpcam_labelled");
            var predicted = Present(names.Scores!, scoreThreshold, "lpcam_predicted");
            var any = g.Node("Greater", [g.Node("ReduceSum", [labelled], "lpcam_label_count", ("keepdims", 1L)), g.Initializer("lpcam_none", [], [0f])], "lpcam_has_labels");
            return g.Node("Where", [any, labelled, predicted], "lpcam_present");
        }
        var mask = g.Node("Unsqueeze", [present, g.Initializer("lpcam_unsqueeze_axes", [2], [2, 3])], "lpcam_present_4d");
        var masked = g.Node("Mul", [maps, mask], "lpcam_masked_maps");
        var first = g.Node("Slice", [maps, g.Int("lpcam_first_start", 0), g.Int("lpcam_first_end", 1), g.Int("lpcam_first_axis", 1)], "lpcam_first_map");
        var zeros = g.Node("Mul", [first, g.Initializer("lpcam_zero", [], [0f])], "lpcam_zero_plane");
        var background = g.Node("Add", [zeros, g.Initializer("lpcam_threshold", [], [threshold])], "lpcam_background_plane");
        var stack = g.Node("Concat", [background, masked], "lpcam_stacked", ("axis", 1L));
        var label = g.Node("ArgMax", [stack], "lpcam_label", ("axis", 1L), ("keepdims", 0L), ("select_last_index", 0L));
        g.Node("Cast", [label], names.Seed, ("to", (long)OnnxGraphBuilder.UInt8Type));
        g.Output(names.Seed, OnnxGraphBuilder.UInt8Type, "N", "map_h", "map_w");
        foreach (var kv in metadata) g.Metadata(kv.Key, kv.Value);
        return g.ToBytes();
    }
}
