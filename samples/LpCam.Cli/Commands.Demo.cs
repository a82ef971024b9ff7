using System.CommandLine;
using LpCam.Cli.Pipeline;
using LpCam.MLNet.Data;

namespace LpCam.Cli;

internal static partial class Commands
{
    private static readonly Option<int> DemoImages = CliOptions.Int("--images", 160, "synthetic scenes to generate", min: 10, max: 100_000);
    private static readonly Option<int> DemoSize = CliOptions.Int("--size", 256, "side of each scene in pixels (also the default --long-side)", min: 64, max: 2048);

    /// <summary>
    /// demo: the whole pipeline on the built-in synthetic scenes (generated in memory from a seed, no download): objects
    /// with a small discriminative part and a large plain body on a co-occurring background. Writes the same outputs as
    /// "run" under --out (default out/demo).
    /// </summary>
    public static Command Demo()
    {
        var command = new Command("demo", "the whole pipeline on the built-in synthetic dataset (no download), then the report") { DemoImages, DemoSize };
        foreach (var option in PipelineOptions.Symbols.All) command.Options.Add(option);
        command.SetAction(args =>
        {
            int count = args.GetValue(DemoImages), size = args.GetValue(DemoSize);
            var options = PipelineOptions.Parse(args, Path.Combine("out", "demo"));
            if (args.GetResult(PipelineOptions.Symbols.LongSide) is null or { Implicit: true }) options = options with { LongSide = size };
            var scenes = SyntheticScenes.Generate(count, options.Seed, size);
            var dataset = new SegmentationRunDataset(scenes, $"synthetic scenes ({count} images, {size} px, seed {options.Seed})");
            return RunSteps("run", dataset, options, Environment.GetCommandLineArgs());
        });
        return command;
    }
}
