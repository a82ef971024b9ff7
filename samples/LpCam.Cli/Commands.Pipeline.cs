using LpCam.Cli.Pipeline;
using LpCam.MLNet.Reporting;

namespace LpCam.Cli;

/// <summary>The commands of the samples app.</summary>
internal static partial class Commands
{
    /// <summary>The steps of a run, in order; "run" does them all, each step command does one.</summary>
    private static readonly (string Name, Action<PipelineContext> Step)[] Steps =
    {
        ("train-cam", TrainCamStep.Run),
        ("make-cam", MakeMapsStep.MakeCam),
        ("fit-prototypes", FitPrototypesStep.Run),
        ("make-lpcam", MakeMapsStep.MakeLpCam),
        ("seeds", SeedsStep.Run),
        ("eval", EvalStep.Run),
    };

    public static int Pipeline(string command, CliArgs args)
    {
        var dataset = DatasetArgs.Open(args);
        var options = PipelineOptions.Parse(args, Path.Combine("out", "run"));
        args.RejectUnknown();
        return RunSteps(command, dataset, options, Environment.GetCommandLineArgs());
    }

    internal static int RunSteps(string command, RunDataset dataset, PipelineOptions options, IReadOnlyList<string> commandLine)
    {
        var whole = System.Diagnostics.Stopwatch.StartNew();
        using var ctx = new PipelineContext(dataset, options);
        ctx.Folder.CheckSettings(options.Identity());
        Console.WriteLine($"lpcam {command}: {ctx.Dataset.Description}, {ctx.Dataset.Names.Count} images, {ctx.Dataset.ClassNames.Count} classes -> {ctx.Folder.Root}");
        var manifest = RunManifest.Start(string.Join(" ", commandLine), options.Identity());
        manifest.Parameters["dataset"] = ctx.Dataset.Description;
        manifest.Parameters["images"] = ctx.Dataset.Names.Count.ToString();
        foreach (var (name, step) in Steps)
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
        return 0;
    }
}
