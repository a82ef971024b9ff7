namespace LpCam.MLNet.Data;

/// <summary>How <see cref="VocWriter"/> stores images in JPEGImages.</summary>
public enum VocImageFormat
{
    /// <summary>NAME.png, lossless: reading the folder back gives the same pixels.</summary>
    Png,

    /// <summary>NAME.jpg at <see cref="VocWriteOptions.JpegQuality"/>, as in the real devkit (lossy).</summary>
    Jpeg,
}
