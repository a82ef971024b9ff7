namespace LpCam.Cli.Pipeline;

/// <summary>
/// The images the report shows: the first --gallery images in dataset order that have a ground-truth mask (the first
/// --gallery images when the dataset has no masks). Seeds writes overlays only for these (unless --overlays all), eval
/// draws their thumbnails; the choice never depends on the worker count.
/// </summary>
internal static class GallerySelection
{
    /// <summary>The gallery's image names, in dataset order.</summary>
    public static IReadOnlyList<string> Names(RunDataset dataset, int count)
    {
        var names = dataset.Names;
        var withMask = names.Where(dataset.HasMask).Take(count).ToList();
        return withMask.Count > 0 ? withMask : names.Take(count).ToList();
    }
}
