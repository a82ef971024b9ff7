namespace LpCam.MLNet.Data;

/// <summary>The colour types of the PNG specification (IHDR byte 9).</summary>
internal enum PngColorType
{
    /// <summary>One gray sample per pixel; bit depth 1, 2, 4, 8 or 16.</summary>
    Grayscale = 0,

    /// <summary>Red, green, blue samples; bit depth 8 or 16.</summary>
    Rgb = 2,

    /// <summary>One palette index per pixel; bit depth 1, 2, 4 or 8.</summary>
    Palette = 3,

    /// <summary>Gray and alpha samples; bit depth 8 or 16.</summary>
    GrayscaleAlpha = 4,

    /// <summary>Red, green, blue and alpha samples; bit depth 8 or 16.</summary>
    Rgba = 6,
}
