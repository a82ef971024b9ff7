using LpCam.MLNet.Data;

namespace LpCam.MLNet.Reporting;

/// <summary>The VOC colour map (<see cref="VocPalette"/>) as the report uses it: CSS colours for legends.</summary>
public static class VocColors
{
    /// <summary>The colour of <paramref name="label"/> as CSS text, e.g. <c>#800000</c>.</summary>
    public static string Css(int label)
    {
        var (r, g, b) = VocPalette.Color(label);
        return $"#{r:x2}{g:x2}{b:x2}";
    }
}
