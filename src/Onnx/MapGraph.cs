using LpCam.MLNet.Engine.Cam;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Compiles a linear activation-map method (CAM: <c>W . f</c>; LPCAM: <c>W_eff . f̂</c>) into an ONNX graph:
/// features [N, D, h, w] -> (unit-normalise over channels) -> 1x1 Conv with the weights -> ReLU -> bilinear resize
/// (half-pixel, as PyTorch's align_corners = false) to [height, width] -> divide each map by its max + epsilon.
/// Single scale, no flip: the same values as <see cref="ActivationMapMethod.Compute"/> with one scale.
/// </summary>
internal static class MapGraph
{
    public const string FeaturesInput = "features";
    public const string MapsOutput = "maps";
    public const string ScoresOutput = "scores";

    /// <summary>Builds the graph with the default tensor names (features -> maps, scores).</summary>
    public static byte[] Build(float[] weights, int classCount, int featureDim, bool normalizeFeatures, long height, long width,
        bool withScores, IEnumerable<KeyValuePair<string, string>> metadata) =>
        Build(weights, classCount, featureDim, normalizeFeatures, height, width, FeaturesInput, MapsOutput, withScores ? ScoresOutput : null, metadata);

    /// <summary>Builds the graph.</summary>
    /// <param name="weights">C x D row-major.</param>
    /// <param name="classCount">C.</param>
    /// <param name="featureDim">D.</param>
    /// <param name="normalizeFeatures">True for LPCAM (cosines), false for CAM.</param>
    /// <param name="height">Output map height, or 0 to keep the feature resolution.</param>
    /// <param name="width">Output map width, or 0 to keep the feature resolution.</param>
    /// <param name="featuresInput">Name of the features input [N, D, h, w].</param>
    /// <param name="mapsOutput">Name of the maps output.</param>
    /// <param name="scoresOutput">If not null, also output sigmoid class scores of the pooled features, <c>sigmoid(W . mean f)</c> [N, C], under this name.</param>
    /// <param name="metadata">Key/value pairs stored in the model's metadata_props.</param>
    public static byte[] Build(float[] weights, int classCount, int featureDim, bool normalizeFeatures, long height, long width,
        string featuresInput, string mapsOutput, string? scoresOutput, IEnumerable<KeyValuePair<string, string>> metadata) =>
        Build(new[] { (weights, mapsOutput) }, classCount, featureDim, normalizeFeatures, height, width, featuresInput, scoresOutput, metadata);

    /// <summary>Builds one graph with several map outputs (for example LPCAM and LPCAM-F) over the same features.</summary>
    /// <param name="maps">For each output: its C x D row-major weights and its name.</param>
    /// <param name="classCount">C.</param>
    /// <param name="featureDim">D.</param>
    /// <param name="normalizeFeatures">True for LPCAM (cosines), false for CAM.</param>
    /// <param name="height">Output map height, or 0 to keep the feature resolution.</param>
    /// <param name="width">Output map width, or 0 to keep the feature resolution.</param>
    /// <param name="featuresInput">Name of the features input [N, D, h, w].</param>
    /// <param name="scoresOutput">If not null, the sigmoid class scores of the first weights' pooled logits, under this name.</param>
    /// <param name="metadata">Key/value pairs stored in the model's metadata_props.</param>
    public static byte[] Build(IReadOnlyList<(float[] Weights, string Output)> maps, int classCount, int featureDim, bool normalizeFeatures,
        long height, long width, string featuresInput, string? scoresOutput, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        foreach (var (weights, output) in maps)
            if (weights.Length != (long)classCount * featureDim)
                throw new ArgumentException($"Expected {classCount} x {featureDim} weights for '{output}', got {weights.Length}.", nameof(maps));
        var g = new OnnxGraphBuilder(normalizeFeatures ? "lpcam" : "cam");
        g.Input(featuresInput, "N", (long)featureDim, "h", "w");
        var eps = g.Initializer("lpcam_epsilon", Array.Empty<long>(), new[] { ActivationMapMethod.Epsilon });
        string x = featuresInput;
        if (normalizeFeatures)
        {
            var tiny = g.Initializer("lpcam_norm_floor", Array.Empty<long>(), new[] { 1e-12f });
            var norm = g.Node("ReduceL2", new[] { x }, "lpcam_feature_norm", ("axes", new long[] { 1 }), ("keepdims", 1L));
            var floor = g.Node("Max", new[] { norm, tiny }, "lpcam_feature_norm_floor");
            x = g.Node("Div", new[] { x, floor }, "lpcam_unit_features");
        }
        bool resize = height > 0 && width > 0;
        string? sizes = null;
        for (int m = 0; m < maps.Count; m++)
        {
            var (weights, output) = maps[m];
            string p = $"lpcam_m{m}_";
            var w = g.Initializer(p + "W", new long[] { classCount, featureDim, 1, 1 }, weights);
            var relu = g.Node("Relu", new[] { g.Node("Conv", new[] { x, w }, p + "class_scores") }, p + "relu_scores");
            string resized = relu;
            if (resize)
            {
                if (sizes is null)
                {
                    var shape = g.Node("Shape", new[] { relu }, "lpcam_relu_shape");
                    var start = g.Initializer("lpcam_slice_start", new long[] { 1 }, new long[] { 0 });
                    var end = g.Initializer("lpcam_slice_end", new long[] { 1 }, new long[] { 2 });
                    var nc = g.Node("Slice", new[] { shape, start, end }, "lpcam_relu_nc");
                    var hw = g.Initializer("lpcam_out_hw", new long[] { 2 }, new long[] { height, width });
                    sizes = g.Node("Concat", new[] { nc, hw }, "lpcam_resize_sizes", ("axis", 0L));
                }
                resized = g.Node("Resize", new[] { relu, "", "", sizes }, p + "resized",
                    ("mode", "linear"), ("coordinate_transformation_mode", "pytorch_half_pixel"));
            }
            var max = g.Node("ReduceMax", new[] { resized }, p + "map_max", ("axes", new long[] { 2, 3 }), ("keepdims", 1L));
            var den = g.Node("Add", new[] { max, eps }, p + "map_den");
            g.Node("Div", new[] { resized, den }, output);
            g.Output(output, "N", (long)classCount, resize ? height : "h", resize ? width : "w");
            if (m == 0 && scoresOutput is not null)
            {
                var pooled = g.Node("GlobalAveragePool", new[] { featuresInput }, "lpcam_pooled");
                var logits = g.Node("Conv", new[] { pooled, w }, "lpcam_pooled_logits");
                var flat = g.Node("Flatten", new[] { logits }, "lpcam_logits", ("axis", 1L));
                g.Node("Sigmoid", new[] { flat }, scoresOutput);
                g.Output(scoresOutput, "N", (long)classCount);
            }
        }
        foreach (var kv in metadata) g.Metadata(kv.Key, kv.Value);
        return g.ToBytes();
    }
}
