using LpCam.MLNet.Data;
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
        var overlays = ctx.Options.AllOverlays ? names.ToHashSet() : GallerySelection.Names(ctx.Dataset, ctx.Options.Gallery).ToHashSet();
        using var progress = new Progress("seeds", names.Count);
        ParallelImages.For(names.Count, ctx.Options.Workers, i =>
        {
            string name = names[i];
            string seedPath = ctx.Folder.Seed(name), overlayPath = ctx.Folder.Overlay(name);
            bool overlay = overlays.Contains(name);
            bool irnDone = !ctx.Options.Irn || (File.Exists(ctx.Folder.Irn("cam", name)) && File.Exists(ctx.Folder.Irn("lpcam", name)));
            if (File.Exists(seedPath) && (!overlay || File.Exists(overlayPath)) && irnDone) { progress.Tick(skipped: true); return; }

            var (keys, maps, h, w) = FullResolutionMaps.Read(ctx.Folder.Maps("lpcam", name));
            if (!File.Exists(seedPath))
                ReportFiles.WriteAllBytes(seedPath, VocPalette.EncodeMaskPng(SeedMasks.FromMaps(maps, h, w, FullResolutionMaps.Labels(keys), ctx.Options.Threshold), h, w));
            if (overlay && !File.Exists(overlayPath))
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
                    var (mapKeys, full, _, _) = method == "lpcam" ? (keys, maps, h, w) : FullResolutionMaps.Read(ctx.Folder.Maps(method, name));
                    IrnNpy.Write(ctx.Folder.Irn(method, name), FullResolutionMaps.Labels(mapKeys), full, h, w, strided.Maps);
                }
            progress.Tick();
        });
    }
}
