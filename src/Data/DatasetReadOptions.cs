namespace LpCam.MLNet.Data;

/// <summary>Options shared by the dataset readers.</summary>
public class DatasetReadOptions
{
    /// <summary>
    /// Throw a <see cref="DatasetException"/> naming the file at the first bad sample (in list order) instead of skipping it
    /// and recording a <see cref="DatasetIssue"/>. Default false.
    /// </summary>
    public bool StopOnError { get; set; }

    /// <summary>
    /// Decode every image and mask while opening (default true): finds truncated or corrupt files, mask values outside
    /// 0..C and 255, and masks showing classes the labels lack. About 5-10 ms per VOC image on one core. When false, only the
    /// files' existence and headers (sizes) are checked, and damage shows up later as an
    /// <see cref="InvalidDataException"/> from <see cref="ISegmentationDataset.LoadImage"/> or <see cref="ISegmentationDataset.LoadMask"/>.
    /// </summary>
    public bool VerifyPixels { get; set; } = true;

    /// <summary>Threads used to check samples while opening; default: the processor count. Results are in list order either way.</summary>
    public int MaxParallelism { get; set; } = Environment.ProcessorCount;
}
