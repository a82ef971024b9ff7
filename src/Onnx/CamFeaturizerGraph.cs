using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Estimators;
using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>The tensor names of a featurizer graph (the ML.NET column names).</summary>
internal sealed record CamFeaturizerNames(string Pixels, string? ImageSize, string Features, string FeatureSize, string Scores, string Cam, string MapSize);

/// <summary>
/// CamFeaturizer as one ONNX graph (opset 13): canvas pixels in; packed multi-scale features, class scores, multi-scale +
/// flip CAM at stride 4 of the original image, and the sizes out. Any image size and aspect ratio: the graph finds the
/// image on its canvas (<see cref="CanvasGeometryNodes"/>) and works on the image alone.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Crop the image's box from the [1, 3, H_c, W_c] canvas (the whole canvas without an image-size input).</item>
/// <item>Per scale of <see cref="FeatureColumnLayout.BlockScales"/>: bilinear resize (half-pixel, no antialiasing) to
/// round(h s) x round(w s) (skipped at scale 1); with flip, the image and its mirror image as a batch of two; padding
/// bottom/right to <see cref="BackboneOnnxModel.PadMultiple"/> with <see cref="BackboneOnnxModel.PadPixelRgb"/>
/// (<c>Expand</c>ed and joined, so padded pixels are exact); the backbone's normalisation; the backbone (its nodes copied per
/// scale, its weights stored once); the feature map cropped to ceil(size / stride).</item>
/// <item>Features: every block flattened and joined (<see cref="FeatureColumnLayout"/>); FeatureSize: (h, w) per scale.</item>
/// <item>Scores: sigmoid of the head on the globally averaged scale-1 features of the image.</item>
/// <item>CAM (<see cref="ActivationMapNodes"/>) over the inference scales, at ceil(H / s) x ceil(W / s) of the original
/// image for the map stride s (4, or 1 for full resolution); MapSize: that size.</item>
/// </list>
/// Without a head the graph stops at Features and FeatureSize (what Fit pools to train the head).
/// </remarks>
internal static class CamFeaturizerGraph
{
    public static byte[] Build(BackboneOnnxModel backbone, ClassifierHead? head, FeatureColumnLayout layout, int canvasHeight, int canvasWidth,
        CamFeaturizerNames names, IEnumerable<KeyValuePair<string, string>> metadata, int mapStride = 4)
    {
        if (head is not null && head.FeatureDim != backbone.FeatureDim)
            throw new ArgumentException($"The head has D = {head.FeatureDim} channels; the backbone '{backbone.Name}' gives {backbone.FeatureDim}.", nameof(head));
        var source = OnnxGraphEdits.Parse(backbone.BytesArray);
        OnnxComposer.UpgradeToOpset13(source);
        var g = new OnnxGraphBuilder("lpcam_cam_featurizer", nodePrefix: "lpcam_");
        var model = g.Model;
        model.Graph.Initializer.AddRange(source.Graph.Initializer);
        var used = new HashSet<string>(source.Graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);

        g.Input(names.Pixels, 1L, 3L, (long)canvasHeight, (long)canvasWidth);
        if (names.ImageSize is not null) g.Input(names.ImageSize, 1L, 2L);
        var geo = CanvasGeometryNodes.Emit(g, names.ImageSize, canvasHeight, canvasWidth, mapStride);
        var image = g.Node("Slice", [names.Pixels, g.Vector("lpcam_crop_start", g.Int("lpcam_zero_a", 0), g.Int("lpcam_zero_b", 0), geo.Top, geo.Left),
            g.Vector("lpcam_crop_end", g.Int("lpcam_one_a", 1), g.Int("lpcam_three_a", 3), g.Node("Add", [geo.Top, geo.Height], "lpcam_crop_bottom"),
                g.Node("Add", [geo.Left, geo.Width], "lpcam_crop_right"))], "lpcam_image");

        int batch = layout.Flip ? 2 : 1;
        var padPixel = g.Initializer("lpcam_pad_pixel", [1, 3, 1, 1], backbone.PadPixelRgb.ToArray());
        var norm = backbone.Normalization;
        bool normalize = !(!norm.Bgr && norm.Mean.All(v => v == 0) && norm.Std.All(v => v == 1));
        string? order = null, mean = null, std = null;
        if (normalize)
        {
            order = g.Initializer("lpcam_norm_order", [3], Enumerable.Range(0, 3).Select(k => (long)norm.SourceChannel(k)).ToArray());
            mean = g.Initializer("lpcam_norm_mean", [1, 3, 1, 1], norm.Mean.ToArray());
            std = g.Initializer("lpcam_norm_std", [1, 3, 1, 1], norm.Std.ToArray());
        }
        var w = head is null ? null : g.Initializer("lpcam_W", [head.ClassCount, head.FeatureDim, 1, 1], head.Weights);
        foreach (var name in new[] { padPixel, order, mean, std, w })
            if (name is not null && !used.Add(name))
                throw new ArgumentException($"The backbone already has a tensor named '{name}'.", nameof(backbone));

        var packed = new List<string>();
        var sizes = new List<string>();
        var camScales = new List<(string, string?)>();
        string? pooledInput = null;
        var blockScales = layout.BlockScales;
        for (int i = 0; i < blockScales.Count; i++)
        {
            string p = $"s{i}_";
            double s = blockScales[i];
            var (hs, ws) = geo.Scaled(s, p);
            string x = image;
            if (s != 1.0)
                x = g.Node("Resize", [x, "", "", g.Vector(p + "image_size", g.Int(p + "one", 1), g.Int(p + "three", 3), hs, ws)], p + "image",
                    ("mode", "linear"), ("coordinate_transformation_mode", "pytorch_half_pixel"));
            if (layout.Flip) x = g.Node("Concat", [x, g.FlipWidth(x, p + "image_mirrored")], p + "image_pair", ("axis", 0L));
            int m = backbone.PadMultiple;
            if (m > 1)
            {
                var hp = g.Node("Mul", [geo.CeilDiv(hs, m, p + "h_blocks"), g.Int(p + "multiple", m)], p + "h_padded");
                var wp = g.Node("Mul", [geo.CeilDiv(ws, m, p + "w_blocks"), g.Int(p + "multiple_w", m)], p + "w_padded");
                var batchChannels = new[] { g.Int(p + "batch", batch), g.Int(p + "channels", 3) };
                var right = g.Node("Expand", [padPixel, g.Vector(p + "pad_right_shape", [.. batchChannels, hs, g.Node("Sub", [wp, ws], p + "pad_w")])], p + "pad_right");
                x = g.Node("Concat", [x, right], p + "padded_w", ("axis", 3L));
                var bottom = g.Node("Expand", [padPixel, g.Vector(p + "pad_bottom_shape", [.. batchChannels, g.Node("Sub", [hp, hs], p + "pad_h"), wp])], p + "pad_bottom");
                x = g.Node("Concat", [x, bottom], p + "padded", ("axis", 2L));
            }
            if (normalize)
            {
                x = g.Node("Gather", [x, order!], p + "norm_ordered", ("axis", 1L));
                x = g.Node("Sub", [x, mean!], p + "norm_centred");
                x = g.Node("Div", [x, std!], p + "norm");
            }
            var features = g.CopyGraph(source.Graph, backbone.InputName, x, backbone.OutputName, p, used);
            var hf = geo.CeilDiv(hs, backbone.Stride, p + "h_cells");
            var wf = geo.CeilDiv(ws, backbone.Stride, p + "w_cells");
            features = g.Node("Slice", [features, g.Vector(p + "cells_start", g.Int(p + "c0", 0), g.Int(p + "c0w", 0)), g.Vector(p + "cells_end", hf, wf),
                g.Initializer(p + "cells_axes", [2], [2, 3])], p + "features");
            sizes.Add(hf);
            sizes.Add(wf);
            string direct = layout.Flip ? Batch(g, features, 0, p + "direct") : features;
            string? mirrored = layout.Flip ? g.FlipWidth(Batch(g, features, 1, p + "mirrored_raw"), p + "mirrored") : null;
            var flat = g.Int(p + "flat_rows", 1);
            var rest = g.Int(p + "flat_rest", -1);
            var flatShape = g.Vector(p + "flat_shape", flat, rest);
            packed.Add(g.Node("Reshape", [direct, flatShape], p + "direct_flat"));
            if (mirrored is not null) packed.Add(g.Node("Reshape", [mirrored, flatShape], p + "mirrored_flat"));
            if (layout.InMaps(s)) camScales.Add((direct, mirrored));
            if (i == 0) pooledInput = direct;
        }
        g.Node("Concat", [.. packed], names.Features, ("axis", 1L));
        g.Output(names.Features, "N", "L");
        var sizeVector = g.Node("Cast", [g.Vector("lpcam_feature_sizes", [.. sizes])], "lpcam_feature_sizes_f", ("to", (long)OnnxGraphBuilder.FloatType));
        g.Node("Reshape", [sizeVector, g.Initializer("lpcam_feature_size_shape", [2], [1, 2L * blockScales.Count])], names.FeatureSize);
        g.Output(names.FeatureSize, 1L, 2L * blockScales.Count);

        if (head is not null)
        {
            int c = head.ClassCount;
            var (mapHeight, mapWidth) = geo.MapSize;
            ActivationMapNodes.Emit(g, camScales, w!, c, mapHeight, mapWidth, "lpcam_cam_", names.Cam);
            g.Output(names.Cam, 1L, (long)c, "map_h", "map_w");
            var pooled = g.Node("GlobalAveragePool", [pooledInput!], "lpcam_pooled");
            var logits = g.Node("Flatten", [g.Node("Conv", [pooled, w!], "lpcam_pooled_logits")], "lpcam_logits", ("axis", 1L));
            g.Node("Sigmoid", [logits], names.Scores);
            g.Output(names.Scores, 1L, (long)c);
            var mapSize = g.Node("Cast", [g.Vector("lpcam_map_size_i", mapHeight, mapWidth)], "lpcam_map_size_f", ("to", (long)OnnxGraphBuilder.FloatType));
            g.Node("Reshape", [mapSize, g.Initializer("lpcam_map_size_shape", [2], [1, 2])], names.MapSize);
            g.Output(names.MapSize, 1L, 2L);
        }
        foreach (var kv in metadata) g.Metadata(kv.Key, kv.Value);
        return g.ToBytes();
    }

    private static string Batch(OnnxGraphBuilder g, string x, long index, string output) =>
        g.Node("Slice", [x, g.Int(output + "_start", index), g.Int(output + "_end", index + 1), g.Int(output + "_axis", 0)], output);
}
