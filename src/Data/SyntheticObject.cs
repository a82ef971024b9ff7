namespace LpCam.MLNet.Data;

/// <summary>One object of a synthetic scene.</summary>
/// <param name="ClassId">Its class, 0-based (index into <see cref="SyntheticScenes.ClassNames"/>).</param>
/// <param name="Shape">The body's outline.</param>
/// <param name="Body">The box the body is inscribed in (the large, non-discriminative region).</param>
/// <param name="Part">The small discriminative patch, entirely inside the body.</param>
public sealed record SyntheticObject(int ClassId, SyntheticShape Shape, SyntheticBox Body, SyntheticBox Part)
{
    /// <summary>Whether the pixel centre of (<paramref name="x"/>, <paramref name="y"/>) lies in the body's outline.</summary>
    public bool BodyContains(int x, int y) => Inside(Shape, Body, x + 0.5, y + 0.5);

    /// <summary>Whether point (<paramref name="px"/>, <paramref name="py"/>) lies in <paramref name="shape"/> inscribed in <paramref name="box"/>.</summary>
    internal static bool Inside(SyntheticShape shape, SyntheticBox box, double px, double py)
    {
        if (shape == SyntheticShape.Ellipse)
        {
            double a = box.Width / 2.0, b = box.Height / 2.0;
            double dx = (px - (box.Left + a)) / a, dy = (py - (box.Top + b)) / b;
            return dx * dx + dy * dy <= 1.0;
        }
        double r = Math.Min(box.Width, box.Height) / 4.0;
        double ox = Math.Max(Math.Max(box.Left + r - px, px - (box.Left + box.Width - r)), 0);
        double oy = Math.Max(Math.Max(box.Top + r - py, py - (box.Top + box.Height - r)), 0);
        if (px < box.Left || px > box.Left + box.Width || py < box.Top || py > box.Top + box.Height) return false;
        return ox * ox + oy * oy <= r * r;
    }
}
