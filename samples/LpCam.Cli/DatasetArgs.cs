using System.CommandLine;
using LpCam.Cli.Pipeline;
using LpCam.MLNet.Data;

namespace LpCam.Cli;

/// <summary>Opens the dataset named on the command line: --voc DIR, or --images DIR --labels CSV [--masks DIR].</summary>
internal static class DatasetArgs
{
    public static readonly Option<string?> Voc = CliOptions.OptionalString("--voc", "a VOC devkit folder (JPEGImages, SegmentationClass, Annotations, ImageSets)");
    public static readonly Option<string?> ImageSet = CliOptions.OptionalString("--image-set", "ImageSets/Segmentation/NAME.txt (default: the first list there)");
    public static readonly Option<string?> Images = CliOptions.OptionalString("--images", "a folder of images (the plain layout, with --labels)");
    public static readonly Option<string?> Labels = CliOptions.OptionalString("--labels", "a CSV of name,labels (the plain layout)");
    public static readonly Option<string?> Masks = CliOptions.OptionalString("--masks", "a folder of ground-truth masks (the plain layout)");
    public static readonly Option<string?> Classes = CliOptions.OptionalString("--classes", "class names a,b,c of the plain layout (default: the 20 VOC classes)");
    public static readonly Option<bool> StopOnError = CliOptions.Flag("--stop-on-error", "stop at the first corrupt or missing file (default: report it and go on)");

    /// <summary>The dataset options, added to every command that reads a dataset.</summary>
    public static IEnumerable<Option> All => [Voc, ImageSet, Images, Labels, Masks, Classes, StopOnError];

    public static RunDataset Open(ParseResult args)
    {
        string? voc = args.GetValue(Voc), images = args.GetValue(Images), labels = args.GetValue(Labels), masks = args.GetValue(Masks);
        string? imageSet = args.GetValue(ImageSet);
        bool stop = args.GetValue(StopOnError);
        SegmentationDataset dataset;
        string description;
        try
        {
            if (voc is not null)
            {
                if (images is not null || labels is not null) throw new CliException("give either --voc or --images/--labels, not both.");
                dataset = VocDataset.Open(voc, imageSet, new VocReadOptions { StopOnError = stop });
                description = $"VOC {Path.GetFullPath(voc)}{(imageSet is null ? "" : $" ({imageSet})")}";
            }
            else if (images is not null && labels is not null)
            {
                var classNames = args.GetValue(Classes) is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : VocClasses.Names.ToArray();
                dataset = CsvDataset.Open(images, labels, masks, classNames, new DatasetReadOptions { StopOnError = stop });
                description = $"images {Path.GetFullPath(images)}, labels {Path.GetFullPath(labels)}";
            }
            else throw new CliException("name a dataset: --voc DIR, or --images DIR --labels CSV [--masks DIR] [--classes a,b,c]; 'lpcam demo' uses the built-in one.");
        }
        catch (DatasetException e)
        {
            throw new CliException($"{e.FileName}: {e.Message} (without --stop-on-error such files are reported and skipped)");
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException or InvalidDataException)
        {
            throw new CliException(e.Message);
        }
        catch (ArgumentException e) when (args.GetValue(Classes) is not null)
        {
            throw new CliException($"option --classes: {e.Message}");
        }
        if (dataset.Issues.Count > 0) Console.WriteLine($"dataset: {dataset.IssueSummary}");
        if (dataset.Samples.Count == 0) throw new CliException("the dataset has no usable image.");
        return new SegmentationRunDataset(dataset, description);
    }
}
