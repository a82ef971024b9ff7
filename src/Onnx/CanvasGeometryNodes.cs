namespace LpCam.MLNet.Onnx;

/// <summary>
/// The sizes a featurizer graph derives from the image's original size, as int64 tensors of shape [1] inside the graph:
/// the image's box on the canvas (<see cref="Images.ImageCanvas.ContentBox"/>), each inference scale's image size and
/// feature grid, and the map size of the original image (stride 4 by default) (<see cref="Engine.Features.InferenceScales"/>).
/// </summary>
internal sealed class CanvasGeometryNodes
{
    private readonly OnnxGraphBuilder _g;

    private CanvasGeometryNodes(OnnxGraphBuilder g) => _g = g;

    /// <summary>Top row of the image on the canvas.</summary>
    public string Top { get; private init; } = "";

    /// <summary>Left column of the image on the canvas.</summary>
    public string Left { get; private init; } = "";

    /// <summary>Height of the image on the canvas (the scale-1 image).</summary>
    public string Height { get; private init; } = "";

    /// <summary>Width of the image on the canvas.</summary>
    public string Width { get; private init; } = "";

    private Func<(string, string)> _mapSize = () => ("", "");
    private (string, string)? _map;

    /// <summary>Rows and columns of the maps: ceil(original size / map stride); emitted on first use.</summary>
    public (string Height, string Width) MapSize => _map ??= _mapSize();

    /// <summary>
    /// Emits the geometry. With <paramref name="imageSizeInput"/> (a [1, 2] float input: original height, width) the image
    /// is the IsoPad box of that size; without it the image is the whole canvas.
    /// </summary>
    public static CanvasGeometryNodes Emit(OnnxGraphBuilder g, string? imageSizeInput, int canvasHeight, int canvasWidth, int mapStride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mapStride, 1);
        const string p = "lpcam_geo_";
        if (imageSizeInput is null)
        {
            var (h4, w4) = ((canvasHeight + mapStride - 1) / mapStride, (canvasWidth + mapStride - 1) / mapStride);
            return new CanvasGeometryNodes(g)
            {
                Top = g.Int(p + "top", 0), Left = g.Int(p + "left", 0),
                Height = g.Int(p + "height", canvasHeight), Width = g.Int(p + "width", canvasWidth),
                _mapSize = () => (g.Int(p + "map_height", h4), g.Int(p + "map_width", w4)),
            };
        }
        var size = g.Node("Reshape", [imageSizeInput, g.Int(p + "flat", 2)], p + "size");
        string Part(string source, long i, string name) =>
            g.Node("Slice", [source, g.Int(p + name + "_s", i), g.Int(p + name + "_e", i + 1)], p + name);
        var h = Part(size, 0, "h_f");
        var w = Part(size, 1, "w_f");
        string F(string name, float v) => g.Initializer(p + name, [1], [v]);
        var canvasH = F("canvas_h", canvasHeight);
        var canvasW = F("canvas_w", canvasWidth);
        var heightAspect = g.Node("Div", [canvasH, h], p + "height_aspect");
        var widthAspect = g.Node("Div", [canvasW, w], p + "width_aspect");
        var byHeight = g.Node("Less", [heightAspect, widthAspect], p + "by_height");
        var aspect = g.Node("Where", [byHeight, heightAspect, widthAspect], p + "aspect");
        var two = F("two", 2f);
        var zero = F("zero", 0f);
        string Trunc(string x, string name) =>
            g.Node("Mul", [g.Node("Sign", [x], p + name + "_sign"), g.Node("Floor", [g.Node("Abs", [x], p + name + "_abs")], p + name + "_floor")], p + name);
        var contentH = g.Node("Floor", [g.Node("Mul", [h, aspect], p + "h_scaled")], p + "content_h_f");
        var contentW = g.Node("Floor", [g.Node("Mul", [w, aspect], p + "w_scaled")], p + "content_w_f");
        var left = Trunc(g.Node("Div", [g.Node("Sub", [canvasW, g.Node("Mul", [w, aspect], p + "w_scaled2")], p + "spare_w"), two], p + "half_spare_w"), "left_t");
        var top = Trunc(g.Node("Div", [g.Node("Sub", [canvasH, g.Node("Mul", [h, aspect], p + "h_scaled2")], p + "spare_h"), two], p + "half_spare_h"), "top_t");
        left = g.Node("Where", [byHeight, left, zero], p + "left_f");
        top = g.Node("Where", [byHeight, zero, top], p + "top_f");
        var one = g.Int(p + "one", 1);
        string Int(string x, string name) => g.Node("Cast", [x], p + name, ("to", (long)OnnxGraphBuilder.Int64Type));
        return new CanvasGeometryNodes(g)
        {
            Top = Int(top, "top"),
            Left = Int(left, "left"),
            Height = g.Node("Max", [Int(contentH, "content_h_raw"), one], p + "content_h"),
            Width = g.Node("Max", [Int(contentW, "content_w_raw"), one], p + "content_w"),
            _mapSize = () =>
            {
                var sizeI = g.Node("Cast", [g.Node("Round", [size], p + "size_rounded")], p + "size_int", ("to", (long)OnnxGraphBuilder.Int64Type));
                var hi = Part(sizeI, 0, "h_i");
                var wi = Part(sizeI, 1, "w_i");
                var bias = g.Int(p + "map_bias", mapStride - 1);
                var stride = g.Int(p + "map_stride", mapStride);
                return (g.Node("Div", [g.Node("Add", [hi, bias], p + "map_h_up"), stride], p + "map_h"),
                    g.Node("Div", [g.Node("Add", [wi, bias], p + "map_w_up"), stride], p + "map_w"));
            },
        };
    }

    /// <summary>The image size at <paramref name="scale"/>: each side times the scale, rounded half to even, at least 1.</summary>
    public (string Height, string Width) Scaled(double scale, string prefix)
    {
        if (scale == 1.0) return (Height, Width);
        var s = _g.Initializer(prefix + "scale", [1], [scale]);
        var one = _g.Int(prefix + "min_side", 1);
        string Side(string side, string name)
        {
            var d = _g.Node("Cast", [side], prefix + name + "_d", ("to", (long)OnnxGraphBuilder.DoubleType));
            var r = _g.Node("Round", [_g.Node("Mul", [d, s], prefix + name + "_scaled")], prefix + name + "_rounded");
            return _g.Node("Max", [_g.Node("Cast", [r], prefix + name + "_i", ("to", (long)OnnxGraphBuilder.Int64Type)), one], prefix + name);
        }
        return (Side(Height, "h"), Side(Width, "w"));
    }

    /// <summary>ceil(<paramref name="side"/> / <paramref name="divisor"/>) as an int64 [1] tensor.</summary>
    public string CeilDiv(string side, int divisor, string name)
    {
        var up = _g.Node("Add", [side, _g.Int(name + "_bias", divisor - 1)], name + "_up");
        return _g.Node("Div", [up, _g.Int(name + "_divisor", divisor)], name);
    }
}
