namespace LpCam.MLNet.Data;

/// <summary>
/// Reads a PASCAL VOC devkit folder: <c>JPEGImages/NAME.jpg</c> (also .jpeg or .png), <c>SegmentationClass/NAME.png</c>
/// (palette PNG; optional: without that folder the dataset has no masks), <c>Annotations/NAME.xml</c> (labels) or
/// <c>labels.csv</c>, and <c>ImageSets/Segmentation/SET.txt</c> (the image list).
/// </summary>
/// <remarks>
/// Every sample is checked while opening (see <see cref="DatasetReadOptions.VerifyPixels"/>). A missing or corrupt image,
/// XML or mask, an unknown class name, a mask of the wrong size or a mask label above C (other than 255) skips the sample
/// and is recorded in <see cref="ISegmentationDataset.Issues"/> naming the file, or throws a <see cref="DatasetException"/>
/// with <see cref="DatasetReadOptions.StopOnError"/>. A mask showing a class the labels lack is a warning (the sample is
/// kept): on voc-dev this happens once, for 2008_005245, whose mask has a person its XML lacks.
/// <para>Image lists: one name per line, or VOC's two-column <c>NAME FLAG</c> classification form; names with spaces are
/// kept whole when such an image exists, and a line that is neither is an issue naming the list and line (see
/// <see cref="ImageSetFile"/>). Masks: any PNG bit depth and colour type, as <see cref="VocPalette.DecodeMaskPng(string)"/>
/// reads them; a mask it refuses (a 16-bit value above 255, a colour outside the VOC map, a transparent pixel) skips the
/// sample with an issue naming the mask file.</para>
/// </remarks>
public static class VocDataset
{
    /// <summary>Opens a VOC folder.</summary>
    /// <param name="root">The folder holding JPEGImages, SegmentationClass, Annotations and ImageSets.</param>
    /// <param name="imageSet">The list <c>ImageSets/Segmentation/{imageSet}.txt</c> (for example "train" or "dev"). Null:
    /// the only list there, or the first in ordinal name order when there are several; with no list, every image in
    /// JPEGImages (sorted by name).</param>
    /// <param name="options">Label source, difficult objects, class names, error handling; null for the defaults.</param>
    /// <exception cref="DirectoryNotFoundException">The root or JPEGImages folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The named image set or the labels.csv asked for does not exist.</exception>
    /// <exception cref="InvalidDataException">The image set file (or the labels.csv asked for) lists no image; the message
    /// names the file.</exception>
    /// <exception cref="DatasetException">With <see cref="DatasetReadOptions.StopOnError"/>: the first bad sample.</exception>
    public static SegmentationDataset Open(string root, string? imageSet = null, VocReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new VocReadOptions();
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"VOC root folder not found: '{root}'.");
        var imageFolder = Path.Combine(root, "JPEGImages");
        if (!Directory.Exists(imageFolder)) throw new DirectoryNotFoundException($"VOC image folder not found: '{imageFolder}'.");

        var classNames = ClassList.Validate(options.ClassNames ?? ReadClassNames(root), nameof(options.ClassNames));
        var (names, listIssues) = ReadImageList(root, imageFolder, imageSet);
        var maskFolder = Path.Combine(root, "SegmentationClass");

        SampleChecker.LabelSource labels;
        if (options.LabelSource == VocLabelSource.LabelsCsv)
        {
            var csv = LabelsCsv.Read(Path.Combine(root, "labels.csv"), classNames);
            listIssues.AddRange(csv.LineIssues);
            labels = csv.Lookup;
        }
        else
        {
            var index = ClassList.Index(classNames);
            var annotations = Path.Combine(root, "Annotations");
            labels = name => VocAnnotation.Read(Path.Combine(annotations, name + ".xml"), index, options.IncludeDifficult);
        }
        return SampleChecker.Build(classNames, names, imageFolder, Directory.Exists(maskFolder) ? maskFolder : null, labels, options, listIssues);
    }

    private static IReadOnlyList<string> ReadClassNames(string root)
    {
        var file = Path.Combine(root, VocWriter.ClassNamesFile);
        return File.Exists(file)
            ? File.ReadLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray()
            : VocClasses.Names;
    }

    private static (List<string> Names, List<DatasetIssue> Issues) ReadImageList(string root, string imageFolder, string? imageSet)
    {
        var setFolder = Path.Combine(root, "ImageSets", "Segmentation");
        string? listFile;
        if (imageSet != null)
        {
            listFile = Path.Combine(setFolder, imageSet + ".txt");
            if (!File.Exists(listFile)) throw new FileNotFoundException($"VOC image set '{imageSet}' not found: '{listFile}'.", listFile);
        }
        else
        {
            listFile = Directory.Exists(setFolder)
                ? Directory.GetFiles(setFolder, "*.txt").Order(StringComparer.Ordinal).FirstOrDefault()
                : null;
        }
        if (listFile == null)
        {
            var all = Directory.EnumerateFiles(imageFolder)
                .Where(f => ImageFiles.Extensions.Contains(Path.GetExtension(f)))
                .Select(f => Path.GetFileNameWithoutExtension(f)!)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .ToList();
            return (all, new List<DatasetIssue>());
        }
        return ImageSetFile.Read(listFile, imageFolder);
    }
}
