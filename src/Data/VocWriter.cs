using System.Globalization;
using System.Xml.Linq;
using SkiaSharp;

namespace LpCam.MLNet.Data;

/// <summary>
/// Writes a dataset in the VOC devkit layout that <see cref="VocDataset.Open"/> reads back: JPEGImages/NAME.png (or .jpg),
/// SegmentationClass/NAME.png (8-bit palette PNG, VOC colour map), Annotations/NAME.xml (one <c>object</c> per class
/// present, its box the class's extent in the mask, or the whole image without a mask), ImageSets/Segmentation/SET.txt,
/// labels.csv (<c>name,class_ids</c>, 1-based, as voc-dev's) and class_names.txt (one class a line, read by
/// <see cref="VocDataset.Open"/> when no class names are given).
/// </summary>
public static class VocWriter
{
    /// <summary>The file holding the class names, one a line, in the root.</summary>
    public const string ClassNamesFile = "class_names.txt";

    /// <summary>Writes <paramref name="dataset"/> under <paramref name="root"/> (created if needed; existing files are overwritten).</summary>
    /// <param name="dataset">The dataset; its masks are written when it has them.</param>
    /// <param name="root">The VOC root folder.</param>
    /// <param name="options">Image format and list name; null for the defaults.</param>
    public static void Write(ISegmentationDataset dataset, string root, VocWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new VocWriteOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.JpegQuality, 1, nameof(options.JpegQuality));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.JpegQuality, 100, nameof(options.JpegQuality));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ImageSet, nameof(options.ImageSet));

        var images = Directory.CreateDirectory(Path.Combine(root, "JPEGImages")).FullName;
        var annotations = Directory.CreateDirectory(Path.Combine(root, "Annotations")).FullName;
        var sets = Directory.CreateDirectory(Path.Combine(root, "ImageSets", "Segmentation")).FullName;
        string? masks = dataset.Samples.Any(s => s.HasMask) ? Directory.CreateDirectory(Path.Combine(root, "SegmentationClass")).FullName : null;
        var (format, ext) = options.ImageFormat == VocImageFormat.Png ? (SKEncodedImageFormat.Png, ".png") : (SKEncodedImageFormat.Jpeg, ".jpg");

        var labelLines = new List<string> { "name,class_ids" };
        foreach (var sample in dataset.Samples)
        {
            var image = dataset.LoadImage(sample);
            File.WriteAllBytes(Path.Combine(images, sample.Name + ext), ImageFiles.Encode(image, format, options.JpegQuality));
            byte[]? mask = null;
            if (sample.HasMask && masks != null)
            {
                mask = dataset.LoadMask(sample);
                VocPalette.WriteMaskPng(Path.Combine(masks, sample.Name + ".png"), mask, sample.Height, sample.Width);
            }
            Annotation(sample, dataset.ClassNames, mask, ext).Save(Path.Combine(annotations, sample.Name + ".xml"));
            labelLines.Add(sample.Name + "," + string.Join(' ', sample.ClassIds.Select(c => (c + 1).ToString(CultureInfo.InvariantCulture))));
        }
        File.WriteAllLines(Path.Combine(sets, options.ImageSet + ".txt"), dataset.Samples.Select(s => s.Name));
        File.WriteAllLines(Path.Combine(root, "labels.csv"), labelLines);
        File.WriteAllLines(Path.Combine(root, ClassNamesFile), dataset.ClassNames);
    }

    private static XDocument Annotation(SegmentationSample sample, IReadOnlyList<string> classNames, byte[]? mask, string ext)
    {
        var root = new XElement("annotation",
            new XElement("folder", "JPEGImages"),
            new XElement("filename", sample.Name + ext),
            new XElement("size", new XElement("width", sample.Width), new XElement("height", sample.Height), new XElement("depth", 3)),
            new XElement("segmented", mask != null ? 1 : 0));
        foreach (int c in sample.ClassIds)
        {
            var (xmin, ymin, xmax, ymax) = mask != null ? Extent(mask, sample.Width, (byte)(c + 1)) : (0, 0, sample.Width - 1, sample.Height - 1);
            root.Add(new XElement("object",
                new XElement("name", classNames[c]),
                new XElement("pose", "Unspecified"),
                new XElement("truncated", 0),
                new XElement("difficult", 0),
                new XElement("bndbox",
                    new XElement("xmin", xmin + 1), new XElement("ymin", ymin + 1),
                    new XElement("xmax", xmax + 1), new XElement("ymax", ymax + 1))));
        }
        return new XDocument(root);
    }

    /// <summary>The inclusive 0-based box of the pixels labelled <paramref name="label"/>; the whole image if none are.</summary>
    private static (int XMin, int YMin, int XMax, int YMax) Extent(byte[] mask, int width, byte label)
    {
        int height = mask.Length / width, xmin = width, ymin = height, xmax = -1, ymax = -1;
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] != label) continue;
            int x = i % width, y = i / width;
            xmin = Math.Min(xmin, x); xmax = Math.Max(xmax, x);
            ymin = Math.Min(ymin, y); ymax = Math.Max(ymax, y);
        }
        return xmax < 0 ? (0, 0, width - 1, height - 1) : (xmin, ymin, xmax, ymax);
    }
}
