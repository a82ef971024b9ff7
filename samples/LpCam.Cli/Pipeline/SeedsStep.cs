using LpCam.MLNet.Data;
using LpCam.MLNet.Images;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Reporting;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// seeds: LPCAM seed masks at --threshold as VOC palette PNGs (seeds/NAME.png: 0 background, c + 1 class c), a heatmap
/// overlay of the LPCAM maps over the image (overlays/NAME.png) for the images the report shows (every image with
/// --overlays all), and with --irn the CAM and LPCAM maps in IRN's .npy layout (irn/cam, irn/lpcam). Images run on
/// --workers threads; a re-run skips images whose files exist.
/// </summary>
internal static class SeedsStep
{
    public static void Run(PipelineContext ctx)
    {
        var names = ctx.Dataset.Names;
        // Seeds depend on the threshold: made with another one, they are made again (the maps they come from are not).
        ctx.Folder.MatchOutputs("seeds", new Dictionary<string, string> { ["threshold"] = ctx.Options.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture) });
        var overlays = ctx.Options.AllOverlays ? names.ToHashSet() : GallerySelection.Names(ctx.Dataset, ctx.Options.Gallery).ToHashSet();
        using var progress = new Progress("seeds", names.Count);
        ParallelImages.For(names.Count, ctx.Options.Workers, i =>
        {
            string name = names[i];
            string seedPath = ctx.Folder.Seed(name), overlayPath = ctx.Folder.Overlay(name);
            bool overlay = overlays.Contains(name);
            // Every file is read back (not only up to the first damaged one), so each damaged file is named and made again.
            bool seedDone = RunFolder.IsReusable(seedPath, VocPalette.DecodeMaskPng);
            bool overlayDone = !overlay || RunFolder.IsReusable(overlayPath, RgbImage.Load);
            bool irnDone = !ctx.Options.Irn || (RunFolder.IsReusable(ctx.Folder.Irn("cam", name), CheckIrn) & RunFolder.IsReusable(ctx.Folder.Irn("lpcam", name), CheckIrn));
            if (seedDone && overlayDone && irnDone) { progress.Tick(skipped: true); return; }

            var (keys, maps, h, w) = FullResolutionMaps.Read(ctx.Folder.Maps("lpcam", name));
            if (!seedDone)
                ReportFiles.WriteAllBytes(seedPath, VocPalette.EncodeMaskPng(SeedMasks.FromMaps(maps, h, w, FullResolutionMaps.Labels(keys), ctx.Options.Threshold), h, w));
            if (!overlayDone)
            {
                var image = ctx.Dataset.LoadImage(name);
                if (image.Height != h || image.Width != w) image = image.Resize(h, w);
                ReportFiles.WriteAllBytes(overlayPath, Overlay.HeatmapPng(image, keys.Length == 0 ? new float[h * w] : Overlay.MaxOverMaps(maps, h, w)));
            }
            if (!irnDone)
                foreach (var method in new[] { "lpcam", "cam" })
                {
                    // IRN's "cam" is the stride-4 map as computed; "high_res" the map at the image size.
                    var strided = MapFiles.ReadMaps(ctx.Folder.Maps(method, name));
                    var (mapKeys, full, _, _) = method == "lpcam" ? (keys, maps, h, w) : FullResolutionMaps.Upsample(strided);
                    IrnNpy.Write(ctx.Folder.Irn(method, name), FullResolutionMaps.Labels(mapKeys), full, h, w, strided.Maps);
                }
            progress.Tick();
        });
    }

    /// <summary>Checks that an IRN .npy file is whole: numpy's magic at the start, the pickle's STOP opcode at the end.</summary>
    private static bool CheckIrn(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16 || bytes[0] != 0x93 || bytes[1] != (byte)'N' || bytes[^1] != (byte)'.')
            throw new InvalidDataException($"'{path}' is not a whole IRN .npy file (numpy magic and pickle end expected).");
        return true;
    }
}
