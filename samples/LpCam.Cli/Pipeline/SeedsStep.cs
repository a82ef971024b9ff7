using LpCam.MLNet.Data;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Reporting;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// seeds: LPCAM seed masks at --threshold as VOC palette PNGs (seeds/NAME.png: 0 background, c + 1 class c), a heatmap
/// overlay of the LPCAM maps over each image (overlays/NAME.png), and with --irn the CAM and LPCAM maps in IRN's .npy
/// layout (irn/cam, irn/lpcam). A re-run skips images whose files exist.
/// </summary>
internal static class SeedsStep
{
    public static void Run(PipelineContext ctx)
    {
        var names = ctx.Dataset.Names;
        using var progress = new Progress("seeds", names.Count);
        foreach (var name in names)
        {
            string seedPath = ctx.Folder.Seed(name), overlayPath = ctx.Folder.Overlay(name);
            bool irnDone = !ctx.Options.Irn || (File.Exists(ctx.Folder.Irn("cam", name)) && File.Exists(ctx.Folder.Irn("lpcam", name)));
            if (File.Exists(seedPath) && File.Exists(overlayPath) && irnDone) { progress.Tick(skipped: true); continue; }

            var (keys, maps, h, w) = FullResolutionMaps.Read(ctx.Folder.Maps("lpcam", name));
            var seed = SeedMasks.FromMaps(maps, h, w, FullResolutionMaps.Labels(keys), ctx.Options.Threshold);
            VocPalette.WriteMaskPng(seedPath, seed, h, w);
            var image = ctx.Dataset.LoadImage(name);
            if (image.Height != h || image.Width != w) image = image.Resize(h, w);
            ReportFiles.WriteAllBytes(overlayPath, Overlay.HeatmapPng(image, keys.Length == 0 ? new float[h * w] : Overlay.MaxOverMaps(maps, h, w)));
            if (ctx.Options.Irn)
                foreach (var method in new[] { "lpcam", "cam" })
                {
                    // IRN's "cam" is the stride-4 map as computed; "high_res" the map at the image size.
                    var (mapKeys, full, _, _) = FullResolutionMaps.Read(ctx.Folder.Maps(method, name));
                    var strided = MapFiles.ReadMaps(ctx.Folder.Maps(method, name)).Maps;
                    IrnNpy.Write(ctx.Folder.Irn(method, name), FullResolutionMaps.Labels(mapKeys), full, h, w, strided);
                }
            progress.Tick();
        }
    }
}
