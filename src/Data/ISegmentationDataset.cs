using LpCam.MLNet.Images;

namespace LpCam.MLNet.Data;

/// <summary>A set of images with image-level labels and, optionally, ground-truth segmentation masks.</summary>
public interface ISegmentationDataset
{
    /// <summary>The object classes (no background); class id c is <c>ClassNames[c]</c> and mask label c + 1.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The usable samples, in list order; bad ones were skipped and appear in <see cref="Issues"/>.</summary>
    IReadOnlyList<SegmentationSample> Samples { get; }

    /// <summary>The problems found while opening: skipped samples (errors) and kept ones with warnings.</summary>
    IReadOnlyList<DatasetIssue> Issues { get; }

    /// <summary>Whether every sample has a ground-truth mask (false for classification-only data or no samples).</summary>
    bool HasMasks { get; }

    /// <summary>The sample's pixels: decoded from its file, or the in-memory image.</summary>
    /// <exception cref="InvalidDataException">The file is missing, truncated or corrupt; the message names it.</exception>
    RgbImage LoadImage(SegmentationSample sample);

    /// <summary>The sample's mask (Height x Width labels, 0 = background, c + 1 = class c, 255 = ignore).</summary>
    /// <exception cref="InvalidOperationException">The sample has no mask.</exception>
    /// <exception cref="InvalidDataException">The file is unreadable, of the wrong size or holds labels above C (other than
    /// 255); the message names it.</exception>
    byte[] LoadMask(SegmentationSample sample);
}
