using System.Text;
using LpCam.MLNet.Data;
using LpCam.MLNet.Images;

namespace LpCam.MLNet.Reporting;

/// <summary>
/// Writes the report's thumbnails under <c>thumbs/</c> of the report folder, one row per image (image, CAM heatmap,
/// LPCAM heatmap, seed, ground truth), and collects the <see cref="GalleryRow"/>s for <see cref="ReportHtml"/>.
/// </summary>
/// <remarks>Thumbnails are scaled to a longer side of at most <see cref="MaxSide"/>; maps are resized bilinearly, masks with
/// nearest-neighbour sampling. Each file is written atomically. Not thread-safe.</remarks>
public sealed class GalleryWriter
{
    /// <summary>The folder, relative to the report, holding the thumbnails.</summary>
    public const string ThumbnailFolder = "thumbs";

    private readonly List<GalleryRow> _rows = new();
    private readonly HashSet<string> _stems = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a writer for the report in <paramref name="reportFolder"/>.</summary>
    /// <param name="reportFolder">The folder of report.html; thumbs/ is created in it.</param>
    /// <param name="maxSide">The longer side of the thumbnails, at least 1.</param>
    public GalleryWriter(string reportFolder, int maxSide = Overlay.DefaultThumbnailSide)
    {
        ArgumentException.ThrowIfNullOrEmpty(reportFolder);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        ReportFolder = reportFolder;
        MaxSide = maxSide;
    }

    /// <summary>The folder of report.html.</summary>
    public string ReportFolder { get; }

    /// <summary>The longer side of the thumbnails.</summary>
    public int MaxSide { get; }

    /// <summary>The rows written so far, in order.</summary>
    public IReadOnlyList<GalleryRow> Rows => _rows;

    /// <summary>Writes the thumbnails of one image.</summary>
    /// <param name="name">The image id; characters other than letters, digits, '-', '_' and '.' become '_' in file names.</param>
    /// <param name="image">The image.</param>
    /// <param name="camMap">The CAM picture: one [H, W] map of the image's size in [0, 1] (e.g.
    /// <see cref="Overlay.MaxOverMaps"/> of the image's class maps).</param>
    /// <param name="lpCamMap">The LPCAM picture, like <paramref name="camMap"/>.</param>
    /// <param name="seed">The seed mask, one label per pixel.</param>
    /// <param name="groundTruth">The ground-truth mask, or null.</param>
    /// <returns>The row, with paths relative to the report.</returns>
    /// <exception cref="ArgumentException">A map or mask does not have the image's size.</exception>
    public GalleryRow Add(string name, RgbImage image, float[] camMap, float[] lpCamMap, byte[] seed, byte[]? groundTruth = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(camMap);
        ArgumentNullException.ThrowIfNull(lpCamMap);
        ArgumentNullException.ThrowIfNull(seed);
        int h = image.Height, w = image.Width, plane = h * w;
        Check(camMap.Length, plane, h, w, nameof(camMap));
        Check(lpCamMap.Length, plane, h, w, nameof(lpCamMap));
        Check(seed.Length, plane, h, w, nameof(seed));
        if (groundTruth is not null)
            Check(groundTruth.Length, plane, h, w, nameof(groundTruth));

        var (th, tw) = Overlay.ThumbnailSize(h, w, MaxSide);
        var thumb = image.Resize(th, tw);
        string stem = UniqueStem(name);
        string Save(string kind, RgbImage picture)
        {
            string relative = $"{ThumbnailFolder}/{stem}.{kind}.png";
            Overlay.WritePng(Path.Combine(ReportFolder, ThumbnailFolder, $"{stem}.{kind}.png"), picture);
            return relative;
        }

        string imagePath = Save("image", thumb);
        string camPath = Save("cam", Overlay.Heatmap(thumb, Overlay.ResizeBilinear(camMap, h, w, th, tw), th, tw));
        string lpCamPath = Save("lpcam", Overlay.Heatmap(thumb, Overlay.ResizeBilinear(lpCamMap, h, w, th, tw), th, tw));
        string seedPath = Save("seed", Overlay.Mask(LabelMasks.ResizeNearest(seed, h, w, th, tw), th, tw));
        string? gtPath = groundTruth is null ? null : Save("gt", Overlay.Mask(LabelMasks.ResizeNearest(groundTruth, h, w, th, tw), th, tw));
        var row = new GalleryRow(name, imagePath, camPath, lpCamPath, seedPath, gtPath);
        _rows.Add(row);
        return row;
    }

    private string UniqueStem(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        string stem = sb.ToString().Trim('.');
        if (stem.Length == 0)
            stem = "image";
        string candidate = stem;
        for (int i = 2; !_stems.Add(candidate); i++)
            candidate = $"{stem}-{i}";
        return candidate;
    }

    private static void Check(int length, int plane, int h, int w, string paramName)
    {
        if (length != plane)
            throw new ArgumentException($"Expected {h} x {w} = {plane} values (the image's size), got {length}.", paramName);
    }
}
