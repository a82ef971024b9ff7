namespace LpCam.MLNet.Onnx;

/// <summary>
/// Compiles the seed-mask rule into an ONNX graph: a constant background plane at the threshold stacked before the maps of
/// the image's classes (maps of absent classes zeroed), argmax over the stack, ties to the background (ONNX ArgMax returns
/// the first maximum). The same labels as <see cref="Engine.Seeds.SeedMasks.FromMaps(float[], int, int, IReadOnlyList{int}, float)"/>.
/// </summary>
internal static class SeedMaskGraph
{
    /// <summary>Builds the graph.</summary>
    /// <param name="mapsInput">Input name of the maps [N, C, H, W].</param>
    /// <param name="classesInput">Input name of the class vector [N, C]: multi-hot labels, or scores when <paramref name="scoreThreshold"/> is set.</param>
    /// <param name="seedOutput">Output name of the seed masks [N, H, W] (uint8; 0 = background, c + 1 = class c).</param>
    /// <param name="classCount">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="threshold">Background threshold t.</param>
    /// <param name="scoreThreshold">Null: classes are those with a label above 0.5. Otherwise: those scoring above it (predicted classes).</param>
    /// <param name="metadata">Key/value pairs stored in the model's metadata_props.</param>
    public static byte[] Build(string mapsInput, string classesInput, string seedOutput, int classCount, long height, long width,
        float threshold, float? scoreThreshold, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var g = new OnnxGraphBuilder("seed_masks");
        g.Input(mapsInput, "N", (long)classCount, height, width);
        g.Input(classesInput, "N", (long)classCount);
        var cut = g.Initializer("lpcam_class_cut", Array.Empty<long>(), new[] { scoreThreshold ?? 0.5f });
        var present = g.Node("Greater", new[] { classesInput, cut }, "lpcam_present");
        var presentF = g.Node("Cast", new[] { present }, "lpcam_present_f", ("to", (long)OnnxGraphBuilder.FloatType));
        var axes = g.Initializer("lpcam_unsqueeze_axes", new long[] { 2 }, new long[] { 2, 3 });
        var mask = g.Node("Unsqueeze", new[] { presentF, axes }, "lpcam_present_4d");
        var masked = g.Node("Mul", new[] { mapsInput, mask }, "lpcam_masked_maps");

        var start = g.Initializer("lpcam_first_start", new long[] { 1 }, new long[] { 0 });
        var end = g.Initializer("lpcam_first_end", new long[] { 1 }, new long[] { 1 });
        var axis1 = g.Initializer("lpcam_first_axis", new long[] { 1 }, new long[] { 1 });
        var first = g.Node("Slice", new[] { mapsInput, start, end, axis1 }, "lpcam_first_map");
        var zero = g.Initializer("lpcam_zero", Array.Empty<long>(), new[] { 0f });
        var t = g.Initializer("lpcam_threshold", Array.Empty<long>(), new[] { threshold });
        var zeros = g.Node("Mul", new[] { first, zero }, "lpcam_zero_plane");
        var background = g.Node("Add", new[] { zeros, t }, "lpcam_background_plane");
        var stack = g.Node("Concat", new[] { background, masked }, "lpcam_stacked", ("axis", 1L));
        var label = g.Node("ArgMax", new[] { stack }, "lpcam_label", ("axis", 1L), ("keepdims", 0L), ("select_last_index", 0L));
        g.Node("Cast", new[] { label }, seedOutput, ("to", (long)OnnxGraphBuilder.UInt8Type));
        g.Output(seedOutput, OnnxGraphBuilder.UInt8Type, "N", height, width);
        foreach (var kv in metadata) g.Metadata(kv.Key, kv.Value);
        return g.ToBytes();
    }
}
