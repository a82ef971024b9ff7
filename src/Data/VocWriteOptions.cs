namespace LpCam.MLNet.Data;

/// <summary>Options of <see cref="VocWriter.Write"/>.</summary>
public sealed class VocWriteOptions
{
    /// <summary>Image file format; default <see cref="VocImageFormat.Png"/> (lossless round trip).</summary>
    public VocImageFormat ImageFormat { get; set; } = VocImageFormat.Png;

    /// <summary>JPEG quality 1..100 when <see cref="ImageFormat"/> is JPEG; default 95.</summary>
    public int JpegQuality { get; set; } = 95;

    /// <summary>The list written to <c>ImageSets/Segmentation/{ImageSet}.txt</c>; default "all".</summary>
    public string ImageSet { get; set; } = "all";
}
