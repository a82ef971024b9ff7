using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace LpCam.MLNet.Images;

/// <summary>
/// An image's pixels on a fixed canvas, made by ML.NET's own <c>ResizeImages(..., IsoPad)</c> and
/// <c>ExtractPixels(interleavePixelColors: false)</c>: exactly what a CamFeaturizer pipeline gives its Pixels column, for code
/// that featurises images outside an ML.NET pipeline (the CLI). One image at a time; not thread-safe.
/// </summary>
public sealed class CanvasPixels : IDisposable
{
    private const string ImageColumn = "Image", PixelsColumn = "Pixels";
    private readonly PredictionEngine<ImageRow, PixelsRow> _engine;

    /// <summary>A canvas of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
    public CanvasPixels(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var ml = new MLContext(seed: 0);
        var empty = ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>());
        var model = ml.Transforms.ResizeImages(ImageColumn, width, height, resizing: ImageResizingEstimator.ResizingKind.IsoPad)
            .Append(ml.Transforms.ExtractPixels(PixelsColumn, ImageColumn, interleavePixelColors: false))
            .Fit(empty);
        _engine = ml.Model.CreatePredictionEngine<ImageRow, PixelsRow>(model);
        (Height, Width) = (height, width);
    }

    /// <summary>The canvas height.</summary>
    public int Height { get; }

    /// <summary>The canvas width.</summary>
    public int Width { get; }

    /// <summary>The canvas of an image file, decoded as ML.NET's LoadImages decodes it; and the image's own size.</summary>
    /// <exception cref="InvalidDataException">The file is not a decodable image (the message names it).</exception>
    public (float[] Canvas, int Height, int Width) FromFile(string path)
    {
        MLImage image;
        try
        {
            image = MLImage.CreateFromStream(new MemoryStream(File.ReadAllBytes(path))); // as LoadImages reads a file
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"Image '{path}' could not be decoded: {e.Message}", e);
        }
        using (image) return (Canvas(image), image.Height, image.Width);
    }

    /// <summary>The canvas of an image held in memory (RGB 0..255), and its size.</summary>
    public (float[] Canvas, int Height, int Width) FromImage(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int plane = image.Height * image.Width;
        var rgba = new byte[4 * plane];
        for (int i = 0; i < plane; i++)
        {
            for (int c = 0; c < 3; c++) rgba[4 * i + c] = (byte)Math.Clamp(MathF.Round(image.Pixels[c * plane + i]), 0, 255);
            rgba[4 * i + 3] = 255;
        }
        using var ml = MLImage.CreateFromPixels(image.Width, image.Height, MLPixelFormat.Rgba32, rgba);
        return (Canvas(ml), image.Height, image.Width);
    }

    private float[] Canvas(MLImage image)
    {
        var pixels = _engine.Predict(new ImageRow { Image = image }).Pixels;
        if (pixels.Length != 3L * Height * Width)
            throw new InvalidOperationException($"ResizeImages gave {pixels.Length} values; expected 3 x {Height} x {Width}.");
        return pixels;
    }

    /// <inheritdoc />
    public void Dispose() => _engine.Dispose();

    private sealed class ImageRow
    {
        // The declared size is a placeholder: ResizeImages reads the size of each image itself. (ML.NET 5.0.1's
        // parameterless ImageType attribute fails: it makes an image type of size 0.)
        [ColumnName(ImageColumn), ImageType(1, 1)] public MLImage? Image { get; set; }
    }

    private sealed class PixelsRow
    {
        [ColumnName(PixelsColumn)] public float[] Pixels { get; set; } = [];
    }
}
