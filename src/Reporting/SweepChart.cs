using System.Globalization;
using System.Net;
using System.Text;

namespace LpCam.MLNet.Reporting;

/// <summary>Draws the threshold sweep (mIoU against threshold, one curve per method) as inline SVG.</summary>
internal static class SweepChart
{
    /// <summary>Curve colours of CAM, LPCAM-F and LPCAM.</summary>
    public static readonly string[] Colors = { "#1f77b4", "#ff7f0e", "#2ca02c" };

    private const int Width = 720, Height = 380, Left = 64, Right = 210, Top = 20, Bottom = 56;

    public static string Svg(MetricsDocument metrics)
    {
        var methods = metrics.Methods;
        var points = methods.SelectMany(m => m.Metrics.Sweep).Where(p => double.IsFinite(p.MeanIoU)).ToArray();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"mIoU against threshold\">");
        if (points.Length == 0)
            return sb.Append("<text x=\"20\" y=\"40\">No sweep to draw.</text></svg>").ToString();

        double x0 = Math.Min(0, points.Min(p => p.Threshold)), x1 = Math.Max(1, points.Max(p => p.Threshold));
        double yLow = points.Min(p => p.MeanIoU) * 100, yHigh = points.Max(p => p.MeanIoU) * 100;
        double yStep = NiceStep((yHigh - yLow) / 5);
        double y0 = Math.Max(0, Math.Floor(yLow / yStep) * yStep), y1 = Math.Min(100, Math.Ceiling(yHigh / yStep) * yStep);
        if (y1 <= y0)
            y1 = Math.Min(100, y0 + yStep);
        if (y1 <= y0)
            y0 = y1 - yStep;
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double X(double t) => Left + (t - x0) / (x1 - x0) * plotW;
        double Y(double v) => Top + (1 - (v - y0) / (y1 - y0)) * plotH;

        // grid, ticks and labels
        sb.Append("<g class=\"axis\" font-size=\"12\" fill=\"#333\">");
        double xStep = NiceStep((x1 - x0) / 10);
        for (double t = Math.Ceiling(x0 / xStep) * xStep; t <= x1 + 1e-9; t += xStep)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(t):0.#}\" y1=\"{Top}\" x2=\"{X(t):0.#}\" y2=\"{Top + plotH}\" stroke=\"#e5e5e5\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{X(t):0.#}\" y1=\"{Top + plotH}\" x2=\"{X(t):0.#}\" y2=\"{Top + plotH + 5}\" stroke=\"#333\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(t):0.#}\" y=\"{Top + plotH + 19}\" text-anchor=\"middle\">{t:0.0#}</text>");
        }
        for (double v = y0; v <= y1 + 1e-9; v += yStep)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Y(v):0.#}\" x2=\"{Left + plotW}\" y2=\"{Y(v):0.#}\" stroke=\"#e5e5e5\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left - 5}\" y1=\"{Y(v):0.#}\" x2=\"{Left}\" y2=\"{Y(v):0.#}\" stroke=\"#333\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 8}\" y=\"{Y(v) + 4:0.#}\" text-anchor=\"end\">{v:0.#}</text>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#333\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotW / 2:0.#}\" y=\"{Height - 12}\" text-anchor=\"middle\" font-size=\"13\">background threshold t</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(16 {Top + plotH / 2:0.#}) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">mIoU (%)</text>");
        sb.Append("</g>");

        // the chosen thresholds
        foreach (double t in methods.Select(m => m.Metrics.Chosen.Threshold).Distinct())
            if (t >= x0 && t <= x1)
                sb.Append(CultureInfo.InvariantCulture, $"<line class=\"chosen\" x1=\"{X(t):0.#}\" y1=\"{Top}\" x2=\"{X(t):0.#}\" y2=\"{Top + plotH}\" stroke=\"#888\" stroke-dasharray=\"5 4\"><title>chosen threshold {t:0.###}</title></line>");

        for (int m = 0; m < methods.Count; m++)
        {
            var (_, name, method) = methods[m];
            string color = Colors[m % Colors.Length];
            var curve = method.Sweep.Where(p => double.IsFinite(p.MeanIoU)).ToArray();
            var path = string.Join(" ", curve.Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.Threshold):0.#},{Y(p.MeanIoU * 100):0.#}")));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline class=\"curve\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>");
            foreach (var p in curve)
                sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{X(p.Threshold):0.#}\" cy=\"{Y(p.MeanIoU * 100):0.#}\" r=\"2.5\" fill=\"{color}\"><title>{WebUtility.HtmlEncode(name)}: t = {p.Threshold:0.###}, mIoU {p.MeanIoU * 100:0.0}%</title></circle>");
            var best = method.Best;
            if (double.IsFinite(best.MeanIoU))
            {
                double bx = X(best.Threshold), by = Y(best.MeanIoU * 100);
                sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"best\" cx=\"{bx:0.#}\" cy=\"{by:0.#}\" r=\"6\" fill=\"white\" stroke=\"{color}\" stroke-width=\"2.5\"><title>{WebUtility.HtmlEncode(name)} best: t = {best.Threshold:0.###}, mIoU {best.MeanIoU * 100:0.0}%</title></circle>");
            }
            double ly = Top + 14 + 22 * m;
            double lx = Left + plotW + 16;
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{lx:0.#}\" y1=\"{ly:0.#}\" x2=\"{lx + 22:0.#}\" y2=\"{ly:0.#}\" stroke=\"{color}\" stroke-width=\"2.5\"/>");
            string label = double.IsFinite(best.MeanIoU)
                ? string.Create(CultureInfo.InvariantCulture, $"{name} ({best.MeanIoU * 100:0.0} at {best.Threshold:0.0#})")
                : name;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 28:0.#}\" y=\"{ly + 4:0.#}\" font-size=\"12\">{WebUtility.HtmlEncode(label)}</text>");
        }
        double legendY = Top + 14 + 22 * methods.Count;
        double legendX = Left + plotW + 16;
        sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{legendX + 11:0.#}\" cy=\"{legendY:0.#}\" r=\"5\" fill=\"white\" stroke=\"#333\" stroke-width=\"2\"/><text x=\"{legendX + 28:0.#}\" y=\"{legendY + 4:0.#}\" font-size=\"12\">best t</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{legendX:0.#}\" y1=\"{legendY + 22:0.#}\" x2=\"{legendX + 22:0.#}\" y2=\"{legendY + 22:0.#}\" stroke=\"#888\" stroke-dasharray=\"5 4\"/><text x=\"{legendX + 28:0.#}\" y=\"{legendY + 26:0.#}\" font-size=\"12\">chosen t</text>");
        return sb.Append("</svg>").ToString();
    }

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        if (!(rough > 0))
            return 1;
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (double f in new[] { 1.0, 2.0, 5.0, 10.0 })
            if (f * power >= rough - 1e-12)
                return f * power;
        return 10 * power;
    }
}
