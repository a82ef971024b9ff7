using LpCam.Cli.Pipeline;
using LpCam.MLNet.Data;

namespace LpCam.Cli;

/// <summary>Opens the dataset named on the command line: --voc DIR, or --images DIR --labels CSV [--masks DIR].</summary>
internal static class DatasetArgs
{
    public static RunDataset Open(CliArgs args)
    {
        string? voc = args.String("voc"), images = args.String("images"), labels = args.String("labels"), masks = args.String("masks");
        string? imageSet = args.String("image-set");
        bool stop = args.Flag("stop-on-error");
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
                var classNames = args.String("classes") is { } list ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : VocClasses.Names.ToArray();
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
        if (dataset.Issues.Count > 0) Console.WriteLine($"dataset: {dataset.IssueSummary}");
        if (dataset.Samples.Count == 0) throw new CliException("the dataset has no usable image.");
        return new SegmentationRunDataset(dataset, description);
    }
}
