namespace LpCam.MLNet.Data;

/// <summary>
/// Reads a plain layout: a folder of images (NAME.jpg, .jpeg or .png), a labels CSV and, optionally, a folder of masks
/// (NAME.png).
/// </summary>
/// <remarks>
/// <para>CSV format: one line per image, <c>name,labels</c>. The labels field lists the classes present, separated by
/// spaces or ';'; each is a class name (case-insensitive) or a 1-based class id (the mask label: 1 = the first class), and
/// both forms may be mixed. An empty field means no object class. The first line is a header when its first field is
/// <c>name</c> (so voc-dev's <c>labels.csv</c>, <c>name,class_ids</c> with ids, reads unchanged). The CSV's order is the
/// sample order.</para>
/// <para>Masks: palette or grayscale PNGs (any bit depth; 16-bit only when every value is at most 255) whose values are the
/// labels 0..C and 255 (ignore), or RGB PNGs in VOC colours (see <see cref="VocPalette"/>). A mask that is refused (a
/// 16-bit value above 255, a colour outside the VOC map, a transparent pixel) skips its sample with an issue naming the
/// file, its bit depth and colour type, and the pixel.</para>
/// <para>Problems are handled as in <see cref="VocDataset"/>: a bad sample is skipped and recorded in
/// <see cref="ISegmentationDataset.Issues"/>, or throws with <see cref="DatasetReadOptions.StopOnError"/>.</para>
/// </remarks>
public static class CsvDataset
{
    /// <summary>Opens a plain-layout dataset.</summary>
    /// <param name="imageFolder">The images.</param>
    /// <param name="labelsCsv">The labels CSV.</param>
    /// <param name="maskFolder">The masks, or null for a dataset without ground truth.</param>
    /// <param name="classNames">The object classes (no background); id c is mask label c + 1.</param>
    /// <param name="options">Error handling; null for the defaults.</param>
    /// <exception cref="DirectoryNotFoundException">A folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The CSV does not exist.</exception>
    /// <exception cref="InvalidDataException">The CSV lists no image; the message names it.</exception>
    /// <exception cref="DatasetException">With <see cref="DatasetReadOptions.StopOnError"/>: the first bad sample.</exception>
    public static SegmentationDataset Open(string imageFolder, string labelsCsv, string? maskFolder, IReadOnlyList<string> classNames, DatasetReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imageFolder);
        ArgumentException.ThrowIfNullOrEmpty(labelsCsv);
        var classes = ClassList.Validate(classNames, nameof(classNames));
        options ??= new DatasetReadOptions();
        if (!Directory.Exists(imageFolder)) throw new DirectoryNotFoundException($"Image folder not found: '{imageFolder}'.");
        if (maskFolder != null && !Directory.Exists(maskFolder)) throw new DirectoryNotFoundException($"Mask folder not found: '{maskFolder}'.");
        var csv = LabelsCsv.Read(labelsCsv, classes);
        return SampleChecker.Build(classes, csv.Names, imageFolder, maskFolder, csv.Lookup, options, csv.LineIssues);
    }
}
