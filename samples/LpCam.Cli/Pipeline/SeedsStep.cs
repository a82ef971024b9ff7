using LpCam.MLNet.Data;
using LpCam.MLNet.Images;
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
        // Seeds depend on the threshold: made with another one, they are made again (the maps they come from are not).
        ctx.Folder.MatchOutputs("seeds", new Dictionary<string, string> { ["threshold"] = ctx.Options.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture) });
        using var progress = new Progress("seeds", names.Count);
        foreach (var name in names)
        {
            string seedPath = ctx.Folder.Seed(name), overlayPath = ctx.Folder.Overlay(name);
            // Every file is checked (not only up to the first damaged one), so each damaged file is named.
            bool irnDone = !ctx.Options.Irn || (RunFolder.IsReusable(ctx.Folder.Irn("cam", name), CheckIrn) & RunFolder.IsReusable(ctx.Folder.Irn("lpcam", name), CheckIrn));
            if (RunFolder.IsReusable(seedPath, VocPalette.DecodeMaskPng) & RunFolder.IsReusable(overlayPath, RgbImage.Load) & irnDone) { progress.Tick(skipped: true); continue; }

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

    /// <summary>Checks that an IRN .npy file is whole: numpy's magic at the start, the pickle's STOP opcode at the end.</summary>
    private static bool CheckIrn(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16 || bytes[0] != 0x93 || bytes[1] != (byte)'N' || bytes[^1] != (byte)'.')
            throw new InvalidDataException($"'{path}' is not a whole IRN .npy file (numpy magic and pickle end expected).");
        return true;
    }
}
