using System.CommandLine;
using System.Diagnostics;
using LpCam.MLNet.Backbones;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace LpCam.Cli;

/// <summary>Entry point of the samples app: parses the command and dispatches it.</summary>
internal static class CliApp
{
    /// <summary>The root command: every command, with help generated from the options' descriptions.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("lpcam: LPCAM seeds (CVPR 2023) on a dataset, with ML.NET, ONNX Runtime and TorchSharp. " +
            "A killed run re-run with the same --out continues where it stopped; the settings must be the same. " +
            "Exit codes: 0 done, 1 done but some images were skipped (named in the output), 2 failed (the message says why).");
        root.Options.Add(Verbose);
        root.Subcommands.Add(Commands.Demo());
        foreach (var command in Commands.PipelineCommands()) root.Subcommands.Add(command);
        root.Subcommands.Add(Commands.FineTune());
        var doctor = new Command("doctor", "check that TorchSharp and ONNX Runtime load and compute");
        doctor.SetAction(_ => Doctor());
        root.Subcommands.Add(doctor);
        return root;
    }

    /// <summary>Prints the stack trace of an error too (otherwise one line: what, where, what was expected).</summary>
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "print the stack trace of an error", Recursive = true };

    public static Task<int> RunAsync(string[] args)
    {
        if (args is ["help"]) args = ["--help"];
        string command = "lpcam";
        bool verbose = args.Contains("--verbose");
        try
        {
            var parsed = Build().Parse(args);
            if (parsed.CommandResult.Command is RootCommand)
            {
                if (args.FirstOrDefault(a => !a.StartsWith('-')) is { } unknown)
                    throw new CliException($"unknown command '{unknown}'; run 'lpcam --help'.");
                if (!args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
                    throw new CliException("name a command (demo, run, train-cam, ..., fine-tune, doctor); run 'lpcam --help'.");
            }
            else command = "lpcam " + parsed.CommandResult.Command.Name;
            if (parsed.Errors.Count > 0)
                throw new CliException($"{parsed.Errors[0].Message.TrimEnd('.')}; run '{command} --help'.");
            return Task.FromResult(parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
        }
        catch (Exception e)
        {
            return Task.FromResult(CliErrors.Report(command, e, verbose));
        }
    }

    private static int Doctor()
    {
        var sw = Stopwatch.StartNew();
        using (var x = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }).reshape(1, 1, 3, 3))
        using (var k = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2))
        using (var y = nn.functional.conv2d(x, k))
            Console.WriteLine($"TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}: conv2d = [{string.Join(", ", y.data<float>().ToArray())}] (expected 37, 47, 67, 77), CUDA available: {cuda.is_available()}");

        using var session = new InferenceSession(PretrainedModels.ResNet18OnnxPath);
        var input = new DenseTensor<float>(Enumerable.Range(0, 3 * 224 * 224).Select(i => (float)(i % 255)).ToArray(), new[] { 1, 3, 224, 224 });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Input247", input) });
        var output = results.Single().AsTensor<float>();
        Console.WriteLine($"ONNX Runtime: ResNet-18 output {string.Join("x", output.Dimensions.ToArray())}, all finite: {output.All(float.IsFinite)}, providers: {string.Join(", ", OrtEnv.Instance().GetAvailableProviders())}");
        Console.WriteLine(LpCam.MLNet.FineTuning.OneDnnGuard.CacheGeometryMissing()
            ? "CPU: describes no data caches (CPUID leaf 0x8000001D); fine-tuning a ResNet-50 turns libtorch's oneDNN off here (README, Requirements)"
            : "CPU: describes its data caches; libtorch's oneDNN stays on");
        Console.WriteLine($"ok ({sw.ElapsedMilliseconds} ms)");
        return 0;
    }
}
