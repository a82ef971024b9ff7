using LpCam.MLNet.Estimators;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// LPCAM (and LPCAM-F) from CamFeaturizer's packed Features column as one ONNX graph: the blocks are cut out of the
/// column with the sizes of its FeatureSize column (<see cref="FeatureColumnLayout"/>), and every output is made by
/// <see cref="ActivationMapNodes"/> on the unit features (<see cref="ActivationMapNodes.UnitPairs"/>, computed once for
/// all outputs) at the size of the MapSize column: the same maps as <see cref="Engine.LpCam.LocalPrototypeMap"/> over the
/// same features.
/// </summary>
internal static class PackedMapGraph
{
    /// <summary>Builds the graph.</summary>
    /// <param name="maps">For each output: its folded C x D weights (row-major) and its name.</param>
    /// <param name="classCount">C.</param>
    /// <param name="featureDim">D.</param>
    /// <param name="layout">The featurizer's layout.</param>
    /// <param name="features">The packed features input [1, L].</param>
    /// <param name="featureSize">The FeatureSize input [1, 2 x block scales].</param>
    /// <param name="mapSize">The MapSize input [1, 2].</param>
    /// <param name="metadata">Stored in the model's metadata_props.</param>
    /// <param name="featuresLength">The features' length when the column has a known size (ML.NET then takes the input's
    /// shape as it is), else null.</param>
    /// <param name="cosine">True for LPCAM (the maps of the unit features), false for CAM (the maps of the features).</param>
    public static byte[] Build(IReadOnlyList<(float[] Weights, string Output)> maps, int classCount, int featureDim, FeatureColumnLayout layout,
        string features, string featureSize, string mapSize, IEnumerable<KeyValuePair<string, string>> metadata, long? featuresLength = null,
        bool cosine = true)
    {
        foreach (var (weights, output) in maps)
            if (weights.Length != (long)classCount * featureDim)
                throw new ArgumentException($"Expected {classCount} x {featureDim} weights for '{output}', got {weights.Length}.", nameof(maps));
        var blockScales = layout.BlockScales;
        var g = new OnnxGraphBuilder("lpcam_maps", nodePrefix: "lpcam_");
        if (featuresLength is long length) g.Input(features, 1L, length);
        else g.Input(features, "N", "L");
        g.Input(featureSize, 1L, 2L * blockScales.Count);
        g.Input(mapSize, 1L, 2L);
        var sizes = g.Node("Cast", [g.Node("Reshape", [featureSize, g.Int("lpcam_flat", -1)], "lpcam_sizes_flat")], "lpcam_sizes", ("to", (long)OnnxGraphBuilder.Int64Type));
        var mapSizeI = g.Node("Cast", [g.Node("Reshape", [mapSize, g.Int("lpcam_flat2", -1)], "lpcam_map_size_flat")], "lpcam_map_size", ("to", (long)OnnxGraphBuilder.Int64Type));
        string Element(string source, long i, string name) => g.Node("Slice", [source, g.Int(name + "_s", i), g.Int(name + "_e", i + 1)], name);
        var mapH = Element(mapSizeI, 0, "lpcam_map_h");
        var mapW = Element(mapSizeI, 1, "lpcam_map_w");

        string offset = g.Int("lpcam_offset0", 0);
        var dim = g.Int("lpcam_dim", featureDim);
        var row0 = g.Int("lpcam_row0", 0);
        var row1 = g.Int("lpcam_row1", 1);
        var scales = new List<(string, string?)>();
        for (int i = 0; i < blockScales.Count; i++)
        {
            string p = $"b{i}_";
            var h = Element(sizes, 2 * i, p + "h");
            var w = Element(sizes, 2 * i + 1, p + "w");
            var count = g.Node("Mul", [g.Node("Mul", [dim, h], p + "dh"), w], p + "count");
            var shape = g.Vector(p + "shape", row1, dim, h, w);
            string Block(string name)
            {
                var end = g.Node("Add", [offset, count], p + name + "_end");
                var block = g.Node("Slice", [features, g.Vector(p + name + "_starts", row0, offset), g.Vector(p + name + "_ends", row1, end),
                    g.Initializer(p + name + "_axes", [2], [0, 1])], p + name + "_flat");
                offset = end;
                return g.Node("Reshape", [block, shape], p + name);
            }
            var direct = Block("direct");
            var mirrored = layout.Flip ? Block("mirrored") : null;
            if (layout.InMaps(blockScales[i])) scales.Add((direct, mirrored));
        }
        if (cosine) scales = ActivationMapNodes.UnitPairs(g, scales, "lpcam_unit_").ToList();
        for (int m = 0; m < maps.Count; m++)
        {
            var (weights, output) = maps[m];
            var w = g.Initializer($"lpcam_m{m}_W", [classCount, featureDim, 1, 1], weights);
            ActivationMapNodes.Emit(g, scales, w, classCount, mapH, mapW, $"lpcam_m{m}_", output);
            g.Output(output, 1L, (long)classCount, "map_h", "map_w");
        }
        foreach (var kv in metadata) g.Metadata(kv.Key, kv.Value);
        return g.ToBytes();
    }
}
