using LpCam.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.Components;

/// <summary>A row of the voc-dev slice as ML.NET sees it: image path and 20-slot multi-hot label.</summary>
public sealed class VocRow
{
    public string Name { get; set; } = "";
    public string ImagePath { get; set; } = "";
    [VectorType(20)]
    public float[] Label { get; set; } = Array.Empty<float>();

    public static List<VocRow> Slice(int count)
    {
        var labels = VocDev.Labels();
        return VocDev.Names(count).Select(n => new VocRow { Name = n, ImagePath = VocDev.Jpeg(n), Label = labels[n] }).ToList();
    }

    /// <summary>The first <paramref name="perClass"/> images of each class, in list order without repeats (every class present).</summary>
    public static List<VocRow> CoveringAllClasses(int perClass)
    {
        var labels = VocDev.Labels();
        var chosen = new List<string>();
        for (int c = 0; c < 20; c++)
            chosen.AddRange(VocDev.Names().Where(n => labels[n][c] == 1 && !chosen.Contains(n)).Take(perClass));
        var set = chosen.ToHashSet();
        return VocDev.Names().Where(set.Contains).Select(n => new VocRow { Name = n, ImagePath = VocDev.Jpeg(n), Label = labels[n] }).ToList();
    }

    /// <summary>LoadImages -> ResizeImages (stretch to size x size) -> ExtractPixels (planar RGB 0..255) into "Pixels".</summary>
    public static IEstimator<ITransformer> ImagePipeline(MLContext ml, int size) =>
        ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", size, size, resizing: Microsoft.ML.Transforms.Image.ImageResizingEstimator.ResizingKind.Fill))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: false));
}

/// <summary>A voc-dev image with its labels and its own size, for pipelines that keep the aspect ratio (IsoPad canvas).</summary>
public sealed class VocSizedRow
{
    public VocSizedRow()
    {
    }

    public VocSizedRow(string name)
    {
        Name = name;
        ImagePath = VocDev.Jpeg(name);
        Label = VocDev.Labels()[name];
        ImageSize = LpCam.MLNet.Images.ImageCanvas.ImageSize(ImagePath);
    }

    public string Name { get; set; } = "";
    public string ImagePath { get; set; } = "";
    [VectorType(20)]
    public float[] Label { get; set; } = Array.Empty<float>();
    [VectorType(2)]
    public float[] ImageSize { get; set; } = Array.Empty<float>();

    /// <summary>The first <paramref name="count"/> images of voc-dev.</summary>
    public static List<VocSizedRow> Slice(int count) => VocDev.Names(count).Select(n => new VocSizedRow(n)).ToList();

    /// <summary>LoadImages -> ResizeImages (IsoPad onto a height x width canvas) -> ExtractPixels (planar RGB 0..255) into "Pixels".</summary>
    public static IEstimator<ITransformer> CanvasPipeline(MLContext ml, int height, int width) =>
        ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", width, height, resizing: Microsoft.ML.Transforms.Image.ImageResizingEstimator.ResizingKind.IsoPad))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: false));
}
