using System.Globalization;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using Onnx;

namespace LpCam.MLNet.Onnx;

/// <summary>
/// Compiles CAM inference with multi-scale and flip (paper Eq. 1; algorithm doc, section 1) into ONE ONNX graph (opset 13):
/// image in, normalised class maps out, so that ONNX Runtime runs the whole reference inference on the CPU or on CUDA.
/// </summary>
/// <remarks>
/// <para>Graph, for an image input <see cref="ImageInput"/> [1, 3, H, W] (RGB 0..255, the backbone's pixel convention):</para>
/// <list type="number">
/// <item>Per scale s: bilinear <c>Resize</c> (half-pixel, as PyTorch's <c>interpolate(align_corners = false)</c>, no
/// antialiasing) to round(H s) x round(W s) (<see cref="InferenceScales.ScaledSize"/>), skipped at the input size.</item>
/// <item>With flip: the resized image and its mirror image (<c>Slice</c> with step -1 on the width axis) form one batch
/// of two, so each scale runs the backbone once.</item>
/// <item>Padding, exactly as <see cref="OnnxBackbone"/> does it: bottom/right to a multiple of
/// <see cref="BackboneOnnxModel.PadMultiple"/> with <see cref="BackboneOnnxModel.PadPixelRgb"/> (an <c>Expand</c>ed
/// constant joined by <c>Concat</c>, so the padded pixels are exact), then the model's
/// <see cref="BackboneOnnxModel.Normalization"/> when it is not the identity. Any H, W and scale therefore work; the
/// feature map is cropped back to ceil(h_s / stride) x ceil(w_s / stride) by a <c>Slice</c>.</item>
/// <item>The backbone: its nodes are copied once per scale with their intermediate tensors renamed (<c>s{i}_</c> prefix);
/// every copy reads the SAME initializers, so the weights are stored once whatever the number of scales.</item>
/// <item>The head as a bias-free 1x1 <c>Conv</c>, <c>ReLU</c>; the flipped image's map is un-flipped and added.</item>
/// <item>Bilinear <c>Resize</c> (half-pixel) of each scale's map to H x W, sum over scales, and each class map divided by
/// its own max + <see cref="ActivationMapMethod.Epsilon"/>: output <see cref="CamOutput"/> [1, C, H, W].</item>
/// <item><see cref="ScoresOutput"/> [1, C]: sigmoid of the head applied to the globally averaged (cropped) features of
/// the first listed scale's un-flipped image.</item>
/// </list>
/// <para>Equality with the engine: given the same resized images, the graph computes what
/// <see cref="ClassActivationMap"/>.<see cref="ActivationMapMethod.Compute"/> computes over <see cref="OnnxBackbone"/>
/// features. The engine's <see cref="MultiScaleFeatures"/> resizes with SkiaSharp (mipmapped when shrinking), which the
/// graph cannot reproduce, so graph and engine maps then differ by the resampling only.</para>
/// </remarks>
public static class MultiScaleCamGraph
{
    /// <summary>The image input: [1, 3, H, W] RGB pixels 0..255.</summary>
    public const string ImageInput = "image";

    /// <summary>The normalised CAM output [1, C, H, W].</summary>
    public const string CamOutput = "cam";

    /// <summary>The class-score output [1, C] (sigmoid of the pooled logits of the first scale).</summary>
    public const string ScoresOutput = "scores";

    /// <summary>Metadata key of the comma-separated scales.</summary>
    public const string ScalesKey = "lpcam.cam.scales";

    /// <summary>Metadata key of the flip flag ("true"/"false").</summary>
    public const string FlipKey = "lpcam.cam.flip";

    /// <summary>Builds the graph (see the remarks of <see cref="MultiScaleCamGraph"/>).</summary>
    /// <param name="backbone">The feature extractor, for example <see cref="ResNet18Rewriter.Rewrite"/>'s model.</param>
    /// <param name="head">Bias-free classifier weights C x D, D = <see cref="BackboneOnnxModel.FeatureDim"/>.</param>
    /// <param name="scales">Positive scale factors (the reference: 1.0, 0.5, 1.5, 2.0).</param>
    /// <param name="flip">Whether each scale also runs the mirror image.</param>
    /// <param name="height">Input and output height H (fixed in the graph).</param>
    /// <param name="width">Input and output width W (fixed in the graph).</param>
    /// <returns>The serialised ONNX model.</returns>
    /// <exception cref="ArgumentException">The head's D differs from the backbone's, or a scale is not positive.</exception>
    /// <exception cref="ArgumentOutOfRangeException">H or W is below 1.</exception>
    /// <exception cref="NotSupportedException">The backbone uses ops or an opset that cannot be moved to opset 13.</exception>
    public static byte[] Build(BackboneOnnxModel backbone, ClassifierHead head, IReadOnlyList<double> scales, bool flip, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        var checkedScales = new InferenceScales(scales, flip);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (head.FeatureDim != backbone.FeatureDim)
            throw new ArgumentException($"The head has D = {head.FeatureDim} channels; the backbone '{backbone.Name}' gives {backbone.FeatureDim}.", nameof(head));

        var source = OnnxGraphEdits.Parse(backbone.BytesArray);
        OnnxComposer.UpgradeToOpset13(source);
        var g = new OnnxGraphBuilder("lpcam_multiscale_cam", nodePrefix: "lpcam_cam_");
        var model = g.Model;
        model.Graph.Initializer.AddRange(source.Graph.Initializer);
        var used = new HashSet<string>(source.Graph.Initializer.Select(t => t.Name), StringComparer.Ordinal);

        int c = head.ClassCount, batch = flip ? 2 : 1;
        model.Graph.Input.Add(OnnxGraphEdits.TensorInfo(ImageInput, OnnxGraphBuilder.FloatType, 1L, 3L, (long)height, (long)width));
        var w = g.Initializer("lpcam_cam_W", [c, head.FeatureDim, 1, 1], head.Weights);
        var eps = g.Initializer("lpcam_cam_epsilon", [], [ActivationMapMethod.Epsilon]);
        const string padPixel = "lpcam_cam_pad_pixel";
        bool padded = false;
        var norm = backbone.Normalization;
        bool normalize = !(!norm.Bgr && norm.Mean.All(v => v == 0) && norm.Std.All(v => v == 1));
        string? order = null, mean = null, std = null;
        if (normalize)
        {
            order = g.Initializer("lpcam_cam_norm_order", [3], Enumerable.Range(0, 3).Select(k => (long)norm.SourceChannel(k)).ToArray());
            mean = g.Initializer("lpcam_cam_norm_mean", [1, 3, 1, 1], norm.Mean.ToArray());
            std = g.Initializer("lpcam_cam_norm_std", [1, 3, 1, 1], norm.Std.ToArray());
        }
        foreach (var name in new[] { w, eps, padPixel, order, mean, std })
            if (name is not null && !used.Add(name))
                throw new ArgumentException($"The backbone already has a tensor named '{name}'.", nameof(backbone));

        string? sum = null;
        for (int i = 0; i < checkedScales.Scales.Count; i++)
        {
            string p = $"s{i}_";
            var (hs, ws) = InferenceScales.ScaledSize(height, width, checkedScales.Scales[i]);
            string x = ImageInput;
            if (hs != height || ws != width)
                x = g.Node("Resize", [x, "", "", g.Initializer(p + "image_size", [4], [1, 3, hs, ws])], p + "image",
                    ("mode", "linear"), ("coordinate_transformation_mode", "pytorch_half_pixel"));
            if (flip)
            {
                var mirrored = g.FlipWidth(x, p + "image_flipped");
                x = g.Node("Concat", [x, mirrored], p + "image_pair", ("axis", 0L));
            }
            int hp = FeatureGrid.Padded(hs, backbone.PadMultiple), wp = FeatureGrid.Padded(ws, backbone.PadMultiple);
            if ((hp > hs || wp > ws) && !padded)
            {
                g.Initializer(padPixel, [1, 3, 1, 1], backbone.PadPixelRgb.ToArray());
                padded = true;
            }
            if (wp > ws)
            {
                var right = g.Node("Expand", [padPixel, g.Initializer(p + "pad_right_shape", [4], [batch, 3, hs, wp - ws])], p + "pad_right");
                x = g.Node("Concat", [x, right], p + "padded_w", ("axis", 3L));
            }
            if (hp > hs)
            {
                var bottom = g.Node("Expand", [padPixel, g.Initializer(p + "pad_bottom_shape", [4], [batch, 3, hp - hs, wp])], p + "pad_bottom");
                x = g.Node("Concat", [x, bottom], p + "padded", ("axis", 2L));
            }
            if (normalize)
            {
                x = g.Node("Gather", [x, order!], p + "norm_ordered", ("axis", 1L));
                x = g.Node("Sub", [x, mean!], p + "norm_centred");
                x = g.Node("Div", [x, std!], p + "norm");
            }
            var features = g.CopyGraph(source.Graph, backbone.InputName, x, backbone.OutputName, p, used);
            int hf = FeatureGrid.Cells(hs, backbone.Stride), wf = FeatureGrid.Cells(ws, backbone.Stride);
            if (hf * backbone.Stride < hp || wf * backbone.Stride < wp)
                features = g.Node("Slice", [features, g.Initializer(p + "crop_start", [2], [0, 0]), g.Initializer(p + "crop_end", [2], [hf, wf]),
                    g.Initializer(p + "crop_axes", [2], [2, 3])], p + "features");

            var maps = g.Node("Relu", [g.Node("Conv", [features, w], p + "class_scores")], p + "relu_maps");
            if (flip)
            {
                var zero = g.Initializer(p + "b0", [1], [0]);
                var one = g.Initializer(p + "b1", [1], [1]);
                var two = g.Initializer(p + "b2", [1], [2]);
                var axis0 = g.Initializer(p + "axis0", [1], [0]);
                var direct = g.Node("Slice", [maps, zero, one, axis0], p + "maps_direct");
                var mirrored = g.Node("Slice", [maps, one, two, axis0], p + "maps_mirrored");
                maps = g.Node("Add", [direct, g.FlipWidth(mirrored, p + "maps_unflipped")], p + "maps");
            }
            if (hf != height || wf != width)
                maps = g.Node("Resize", [maps, "", "", g.Initializer(p + "map_size", [4], [1, c, height, width])], p + "maps_resized",
                    ("mode", "linear"), ("coordinate_transformation_mode", "pytorch_half_pixel"));
            sum = sum is null ? maps : g.Node("Add", [sum, maps], p + "sum");

            if (i == 0)
            {
                var direct = flip
                    ? g.Node("Slice", [features, g.Initializer("lpcam_cam_f0", [1], [0]), g.Initializer("lpcam_cam_f1", [1], [1]), g.Initializer("lpcam_cam_faxis", [1], [0])], "lpcam_cam_features_direct")
                    : features;
                var pooled = g.Node("GlobalAveragePool", [direct], "lpcam_cam_pooled");
                var logits = g.Node("Flatten", [g.Node("Conv", [pooled, w], "lpcam_cam_pooled_logits")], "lpcam_cam_logits", ("axis", 1L));
                g.Node("Sigmoid", [logits], ScoresOutput);
            }
        }

        var max = g.Node("ReduceMax", [sum!], "lpcam_cam_max", ("axes", new long[] { 2, 3 }), ("keepdims", 1L));
        var den = g.Node("Add", [max, eps], "lpcam_cam_den");
        g.Node("Div", [sum!, den], CamOutput);
        model.Graph.Output.Add(OnnxGraphEdits.TensorInfo(CamOutput, OnnxGraphBuilder.FloatType, 1L, (long)c, (long)height, (long)width));
        model.Graph.Output.Add(OnnxGraphEdits.TensorInfo(ScoresOutput, OnnxGraphBuilder.FloatType, 1L, (long)c));

        OnnxGraphEdits.SetMetadata(model, LpCamModelInfo.ComponentKey, "MultiScaleCam");
        OnnxGraphEdits.SetMetadata(model, LpCamModelInfo.FormatVersionKey, LpCamModelInfo.FormatVersion);
        OnnxGraphEdits.SetMetadata(model, "lpcam.backbone.name", backbone.Name);
        OnnxGraphEdits.SetMetadata(model, ScalesKey, checkedScales.ToString().Replace(" +flip", "", StringComparison.Ordinal));
        OnnxGraphEdits.SetMetadata(model, FlipKey, flip ? "true" : "false");
        OnnxGraphEdits.SetMetadata(model, "lpcam.cam.height", height.ToString(CultureInfo.InvariantCulture));
        OnnxGraphEdits.SetMetadata(model, "lpcam.cam.width", width.ToString(CultureInfo.InvariantCulture));
        OnnxGraphEdits.SetMetadata(model, "lpcam.cam.classes", c.ToString(CultureInfo.InvariantCulture));
        return OnnxGraphEdits.Serialize(model);
    }
}
