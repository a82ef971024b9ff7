using LpCam.MLNet.Data;
using LpCam.MLNet.Images;

namespace LpCam.Cli.Pipeline;

/// <summary>A <see cref="SegmentationDataset"/> of the library (VOC, CSV or synthetic) as the pipeline sees it.</summary>
internal sealed class SegmentationRunDataset : RunDataset
{
    private readonly SegmentationDataset _dataset;
    private readonly Dictionary<string, SegmentationSample> _byName;

    public SegmentationRunDataset(SegmentationDataset dataset, string description)
    {
        _dataset = dataset;
        Description = description;
        _byName = dataset.Samples.ToDictionary(s => s.Name);
        Names = dataset.Samples.Select(s => s.Name).ToList();
    }

    public override string Description { get; }
    public override int Skipped => _dataset.Issues.Count(i => i.Severity == DatasetIssueSeverity.Error);
    public override IReadOnlyList<string> ClassNames => _dataset.ClassNames;
    public override IReadOnlyList<string> Names { get; }
    public override RgbImage LoadImage(string name) => _dataset.LoadImage(_byName[name]);
    public override string? ImagePath(string name) => _byName[name].ImagePath;
    public override IReadOnlyList<int> Classes(string name) => _byName[name].ClassIds;

    public override bool HasMask(string name) => _byName[name].HasMask;

    public override (byte[] Mask, int Height, int Width)? LoadMask(string name)
    {
        var sample = _byName[name];
        return sample.HasMask ? (_dataset.LoadMask(sample), sample.Height, sample.Width) : null;
    }
}
