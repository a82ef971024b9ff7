using LpCam.MLNet.Images;

namespace LpCam.MLNet.Data;

/// <summary>
/// One image of a segmentation dataset: its name, where its pixels come from (a file, or an <see cref="RgbImage"/> in
/// memory for generated data), its image-level labels and, optionally, its ground-truth mask. Pixels and masks held in
/// files are read on demand through <see cref="ISegmentationDataset.LoadImage"/> and <see cref="ISegmentationDataset.LoadMask"/>.
/// </summary>
public sealed class SegmentationSample
{
    private readonly byte[]? _mask;

    /// <summary>A sample whose image (and mask) are files.</summary>
    /// <param name="name">The image's name (file name without extension).</param>
    /// <param name="imagePath">The image file.</param>
    /// <param name="classIds">The object classes present, 0-based (VOC label - 1); sorted and de-duplicated here.</param>
    /// <param name="height">Image rows.</param>
    /// <param name="width">Image columns.</param>
    /// <param name="maskPath">The mask PNG, or null when the sample has no ground truth.</param>
    public SegmentationSample(string name, string imagePath, IEnumerable<int> classIds, int height, int width, string? maskPath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Name = name;
        ImagePath = imagePath;
        ClassIds = Normalize(classIds);
        Height = height;
        Width = width;
        MaskPath = maskPath;
    }

    /// <summary>A sample held in memory (generated data).</summary>
    /// <param name="name">The image's name.</param>
    /// <param name="image">The pixels.</param>
    /// <param name="classIds">The object classes present, 0-based; sorted and de-duplicated here.</param>
    /// <param name="mask">Height x Width labels (0 = background, c + 1 = class c, 255 = ignore), or null.</param>
    public SegmentationSample(string name, RgbImage image, IEnumerable<int> classIds, byte[]? mask = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(image);
        if (mask != null && mask.Length != image.Height * image.Width)
            throw new ArgumentException($"Expected {image.Height} x {image.Width} mask values, got {mask.Length}.", nameof(mask));
        Name = name;
        Image = image;
        ClassIds = Normalize(classIds);
        Height = image.Height;
        Width = image.Width;
        _mask = mask;
    }

    /// <summary>The image's name (file name without extension); unique within a dataset.</summary>
    public string Name { get; }

    /// <summary>The image file, or null for an in-memory sample.</summary>
    public string? ImagePath { get; }

    /// <summary>The pixels of an in-memory sample, or null for a file sample.</summary>
    public RgbImage? Image { get; }

    /// <summary>The mask PNG of a file sample, or null.</summary>
    public string? MaskPath { get; }

    /// <summary>The object classes present in the image, 0-based (VOC label - 1), ascending.</summary>
    public IReadOnlyList<int> ClassIds { get; }

    /// <summary>Image rows.</summary>
    public int Height { get; }

    /// <summary>Image columns.</summary>
    public int Width { get; }

    /// <summary>Whether the sample has a ground-truth mask.</summary>
    public bool HasMask => MaskPath != null || _mask != null;

    /// <summary>The in-memory mask (not a copy), or null for file samples and samples without a mask.</summary>
    internal byte[]? InMemoryMask => _mask;

    /// <summary>The labels as a multi-hot vector of <paramref name="classCount"/> slots (1 for each class present).</summary>
    public float[] MultiHot(int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var result = new float[classCount];
        foreach (int c in ClassIds)
        {
            if (c >= classCount) throw new ArgumentOutOfRangeException(nameof(classCount), $"Sample '{Name}' has class {c}, but only {classCount} slots were asked for.");
            result[c] = 1;
        }
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{string.Join(' ', ClassIds)}] {Height}x{Width}";

    private static int[] Normalize(IEnumerable<int> classIds)
    {
        ArgumentNullException.ThrowIfNull(classIds);
        var ids = classIds.Distinct().Order().ToArray();
        if (ids.Length > 0 && ids[0] < 0) throw new ArgumentOutOfRangeException(nameof(classIds), "Class ids are 0-based and cannot be negative.");
        return ids;
    }
}
