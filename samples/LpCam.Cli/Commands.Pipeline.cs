using System.CommandLine;
using LpCam.Cli.Pipeline;
using LpCam.MLNet.Reporting;

namespace LpCam.Cli;

/// <summary>The commands of the samples app.</summary>
internal static partial class Commands
{
    /// <summary>The steps of a run, in order; "run" does them all, each step command does one.</summary>
    private static readonly (string Name, string Description, Action<PipelineContext> Step)[] Steps =
    {
        ("train-cam", "backbone features (cached) and the multi-label CAM head", TrainCamStep.Run),
        ("make-cam", "multi-scale CAM maps (stride 4) of every image's classes", MakeMapsStep.MakeCam),
        ("fit-prototypes", "class and context prototypes from the features and CAMs", FitPrototypesStep.Run),
        ("make-lpcam", "LPCAM and LPCAM-F maps", MakeMapsStep.MakeLpCam),
        ("seeds", "seed masks (seeds/NAME.png, VOC palette) and overlays at --threshold", SeedsStep.Run),
        ("eval", "metrics.json (Table 1, per-class IoU, threshold sweep) and report.html", EvalStep.Run),
    };

    /// <summary>"run" (every step) and one command per step, each with the dataset and pipeline options.</summary>
    public static IEnumerable<Command> PipelineCommands()
    {
        yield return PipelineCommand("run", "every step on a dataset: train-cam, make-cam, fit-prototypes, make-lpcam, seeds, eval");
        foreach (var (name, description, _) in Steps) yield return PipelineCommand(name, description);
    }

    private static Command PipelineCommand(string name, string description)
    {
        var command = new Command(name, description);
        foreach (var option in DatasetArgs.All.Concat(PipelineOptions.Symbols.All)) command.Options.Add(option);
        command.SetAction(args =>
        {
            var options = PipelineOptions.Parse(args, Path.Combine("out", "run"));
            var dataset = DatasetArgs.Open(args);
            return RunSteps(name, dataset, options, Environment.GetCommandLineArgs());
        });
        return command;
    }

    internal static int RunSteps(string command, RunDataset dataset, PipelineOptions options, IReadOnlyList<string> commandLine)
    {
        var whole = System.Diagnostics.Stopwatch.StartNew();
        using var ctx = new PipelineContext(dataset, options);
        var identity = new SortedDictionary<string, string>(options.Identity().ToDictionary())
        {
            ["dataset"] = dataset.Description,
            ["dataset_labels"] = ctx.Dataset.LabelDigest(),
        };
        ctx.Folder.CheckSettings(identity);
        Console.WriteLine($"lpcam {command}: {ctx.Dataset.Description}, {ctx.Dataset.Names.Count} images, {ctx.Dataset.ClassNames.Count} classes -> {ctx.Folder.Root}");
        var manifest = RunManifest.Start(string.Join(" ", commandLine), options.Identity());
        manifest.Parameters["dataset"] = ctx.Dataset.Description;
        manifest.Parameters["images"] = ctx.Dataset.Names.Count.ToString();
        foreach (var (name, _, step) in Steps)
        {
            if (command != "run" && command != name) continue;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using (manifest.Time(name)) step(ctx);
            ctx.Timings.Add(name, clock.Elapsed);
        }
        manifest.Finish();
        manifest.Write(ctx.Folder.Manifest);
        if (command == "run")
            foreach (var line in ctx.Timings.Breakdown(ctx.Dataset.Names.Count, whole.Elapsed, options.Workers)) Console.WriteLine(line);
        if (dataset.Skipped > 0)
        {
            Console.WriteLine($"lpcam {command}: done, but {dataset.Skipped} image(s) of the dataset could not be used and were skipped (named above).");
            return CliErrors.SomeImagesFailed;
        }
        return 0;
    }
}
