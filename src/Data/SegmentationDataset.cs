using System.Text;
using LpCam.MLNet.Images;

namespace LpCam.MLNet.Data;

/// <summary>
/// A dataset held as a list of samples: what <see cref="VocDataset.Open"/>, <see cref="CsvDataset.Open"/> and
/// <see cref="SyntheticScenes.Generate"/> return. Pixels and masks of file samples are read on demand.
/// </summary>
public class SegmentationDataset : ISegmentationDataset
{
    /// <summary>Creates a dataset from samples that were already checked.</summary>
    /// <param name="classNames">The object classes, no background; unique, at most 254 (label 255 is "ignore").</param>
    /// <param name="samples">The samples; names unique, class ids below the class count.</param>
    /// <param name="issues">Problems found while reading, if any.</param>
    public SegmentationDataset(IReadOnlyList<string> classNames, IReadOnlyList<SegmentationSample> samples, IReadOnlyList<DatasetIssue>? issues = null)
    {
        ClassNames = ClassList.Validate(classNames, nameof(classNames));
        ArgumentNullException.ThrowIfNull(samples);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in samples)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(samples));
            if (!names.Add(s.Name)) throw new ArgumentException($"Sample name '{s.Name}' appears twice.", nameof(samples));
            if (s.ClassIds.Count > 0 && s.ClassIds[^1] >= ClassNames.Count)
                throw new ArgumentException($"Sample '{s.Name}' has class id {s.ClassIds[^1]}, but there are only {ClassNames.Count} classes.", nameof(samples));
        }
        Samples = samples.ToArray();
        Issues = issues?.ToArray() ?? Array.Empty<DatasetIssue>();
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> ClassNames { get; }

    /// <inheritdoc/>
    public IReadOnlyList<SegmentationSample> Samples { get; }

    /// <inheritdoc/>
    public IReadOnlyList<DatasetIssue> Issues { get; }

    /// <inheritdoc/>
    public bool HasMasks => Samples.Count > 0 && Samples.All(s => s.HasMask);

    /// <summary>
    /// One paragraph: samples read, entries skipped and warnings, then one line per issue (the first 20). "Skipped" counts
    /// skipped entries, not errors: a sample with a missing image and a missing mask is one skip with two issues.
    /// </summary>
    public string IssueSummary
    {
        get
        {
            int skipped = Issues.Where(i => i.Severity == DatasetIssueSeverity.Error).Select(i => i.Name).Distinct(StringComparer.Ordinal).Count();
            int warnings = Issues.Count(i => i.Severity == DatasetIssueSeverity.Warning);
            var text = new StringBuilder($"{Samples.Count} samples read, {skipped} skipped, {warnings} warnings.");
            foreach (var issue in Issues.Take(20)) text.AppendLine().Append("  ").Append(issue);
            if (Issues.Count > 20) text.AppendLine().Append($"  ... and {Issues.Count - 20} more.");
            return text.ToString();
        }
    }

    /// <inheritdoc/>
    public RgbImage LoadImage(SegmentationSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Image != null) return sample.Image;
        var image = ImageFiles.Decode(sample.ImagePath!);
        if (image.Height != sample.Height || image.Width != sample.Width)
            throw new InvalidDataException($"Image '{sample.ImagePath}' is {image.Height}x{image.Width}; it was {sample.Height}x{sample.Width} when the dataset was opened.");
        return image;
    }

    /// <inheritdoc/>
    public byte[] LoadMask(SegmentationSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (!sample.HasMask) throw new InvalidOperationException($"Sample '{sample.Name}' has no ground-truth mask.");
        if (sample.InMemoryMask != null) return (byte[])sample.InMemoryMask.Clone();
        var (mask, h, w) = VocPalette.DecodeMaskPng(sample.MaskPath!);
        var problem = MaskChecks.Check(mask, h, w, sample.Height, sample.Width, ClassNames.Count);
        if (problem != null) throw new InvalidDataException($"Mask '{sample.MaskPath}': {problem}");
        return mask;
    }
}
