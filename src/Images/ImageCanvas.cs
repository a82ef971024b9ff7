namespace LpCam.MLNet.Images;

/// <summary>
/// Where an image lies on a fixed-size canvas made by ML.NET's <c>ResizeImages(..., resizing: IsoPad)</c>: scaled to fit
/// with its aspect ratio kept and centred, the rest padded. The fitted components compute the same box inside their ONNX
/// graphs from the image's original size, crop it and work on the image alone, so the padding never reaches a feature.
/// </summary>
/// <remarks>
/// The arithmetic is ML.NET 5's own (<c>MLImage.CloneWithResizing</c> with <c>ImageResizeMode.Pad</c>), in single precision:
/// <c>aspect = min(canvasW / W, canvasH / H)</c>, the content is <c>(int)(W aspect) x (int)(H aspect)</c> pixels at
/// <c>((int)((canvasW - W aspect) / 2), (int)((canvasH - H aspect) / 2))</c> along the padded axis.
/// </remarks>
public static class ImageCanvas
{
    /// <summary>
    /// An image file's (height, width) read from its header, as CamFeaturizer's image-size column wants it: the size
    /// ML.NET's LoadImages decodes (no EXIF rotation).
    /// </summary>
    /// <exception cref="InvalidDataException">Not a decodable image (the message names the file).</exception>
    public static float[] ImageSize(string path)
    {
        var (height, width) = Data.ImageFiles.ReadSize(path);
        return [height, width];
    }

    /// <summary>The content box of an image of <paramref name="height"/> x <paramref name="width"/> on the canvas.</summary>
    /// <returns>Top row, left column, height and width of the image on the canvas (each side at least 1 pixel).</returns>
    public static (int Top, int Left, int Height, int Width) ContentBox(int height, int width, int canvasHeight, int canvasWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(canvasHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(canvasWidth, 1);
        float widthAspect = (float)canvasWidth / width;
        float heightAspect = (float)canvasHeight / height;
        int top = 0, left = 0;
        float aspect;
        if (heightAspect < widthAspect)
        {
            aspect = heightAspect;
            left = (int)((canvasWidth - width * aspect) / 2);
        }
        else
        {
            aspect = widthAspect;
            top = (int)((canvasHeight - height * aspect) / 2);
        }
        return (top, left, Math.Max(1, (int)(height * aspect)), Math.Max(1, (int)(width * aspect)));
    }
}
