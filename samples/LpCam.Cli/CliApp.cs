using System.Diagnostics;
using LpCam.MLNet.Backbones;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace LpCam.Cli;

/// <summary>Entry point of the samples app: parses the command and dispatches it.</summary>
internal static class CliApp
{
    public static Task<int> RunAsync(string[] args)
    {
        string command = args.Length == 0 ? "help" : args[0];
        switch (command)
        {
            case "doctor":
                return Task.FromResult(Doctor());
            case "help":
            case "--help":
            case "-h":
                Console.WriteLine("usage: lpcam <command>\n\ncommands:\n  doctor   check that TorchSharp and ONNX Runtime load and compute");
                return Task.FromResult(0);
            default:
                Console.Error.WriteLine($"unknown command '{command}'; run 'lpcam help'.");
                return Task.FromResult(2);
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
        Console.WriteLine($"ok ({sw.ElapsedMilliseconds} ms)");
        return 0;
    }
}
