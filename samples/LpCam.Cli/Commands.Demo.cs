using LpCam.Cli.Pipeline;
using LpCam.MLNet.Data;

namespace LpCam.Cli;

internal static partial class Commands
{
    /// <summary>
    /// demo: the whole pipeline on the built-in synthetic scenes (generated in memory from a seed, no download): objects
    /// with a small discriminative part and a large plain body on a co-occurring background. Writes the same outputs as
    /// "run" under --out (default out/demo).
    /// </summary>
    public static int Demo(CliArgs args)
    {
        int count = args.Int("images", 160, min: 10, max: 100_000);
        int size = args.Int("size", 256, min: 64, max: 2048);
        var options = PipelineOptions.Parse(args, Path.Combine("out", "demo")) is var o && args.String("long-side") is null ? o with { LongSide = size } : o;
        args.RejectUnknown();
        var scenes = SyntheticScenes.Generate(count, options.Seed, size);
        var dataset = new SegmentationRunDataset(scenes, $"synthetic scenes ({count} images, {size} px, seed {options.Seed})");
        return RunSteps("run", dataset, options, Environment.GetCommandLineArgs());
    }
}
