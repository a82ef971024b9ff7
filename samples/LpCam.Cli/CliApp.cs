using System.Diagnostics;
using LpCam.Cli.Pipeline;
using LpCam.MLNet.Backbones;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace LpCam.Cli;

/// <summary>Entry point of the samples app: parses the command and dispatches it.</summary>
internal static class CliApp
{
    public const string Usage = """
        usage: lpcam <command> [options]

        commands:
          demo              the whole pipeline on the built-in synthetic dataset (no download), then the report
          run               every step on a dataset: train-cam, make-cam, fit-prototypes, make-lpcam, seeds, eval
          train-cam         backbone features (cached) and the multi-label CAM head
          make-cam          multi-scale CAM maps (stride 4) of every image's classes
          fit-prototypes    class and context prototypes from the features and CAMs
          make-lpcam        LPCAM and LPCAM-F maps
          seeds             seed masks (seeds/NAME.png, VOC palette) and overlays at --threshold
          eval              metrics.json (Table 1, per-class IoU, threshold sweep) and report.html
          fine-tune         fine-tune ResNet-18 (or ResNet-50) and a 1x1 classifier on the dataset (reference recipe);
                            writes DIR/backbone-finetuned.onnx, for --backbone DIR/backbone-finetuned.onnx:TENSOR
                            (TENSOR: ReLU393_Output_0 for resnet18, Layer4Features for resnet50)
          bench             time the backbone, the map stage and the clustering on this machine
          doctor            check that TorchSharp and ONNX Runtime load and compute

        dataset (run and the steps):
          --voc DIR               a VOC devkit folder (JPEGImages, SegmentationClass, Annotations, ImageSets)
          --image-set NAME        ImageSets/Segmentation/NAME.txt (default: the first list there)
          --images DIR --labels CSV [--masks DIR]   the plain layout (CSV: name,labels)
          --stop-on-error         stop at the first corrupt or missing file (default: report it and go on)

        common options:
          --out DIR (default out/run)     --max-images N      --seed N (0)
          --backbone resnet18|resnet18-os16|PATH.onnx:TENSOR (resnet18)   --long-side N (448)
          --scales 1.0[,0.5,1.5,2.0] (1.0)   --no-flip   --device cpu|cuda (cpu)
          --k N (12)  --tau X (0.1)  --mu-f X (0.9)  --mu-b X (0.9)  --context-lower-bound X (0.05)
          --sample-cap N (20000)  --no-selection  --head-epochs N (50)
          --threshold X (LPCAM and LPCAM-F seeds, 0.3)  --cam-threshold X (CAM seeds, 0.15)
          --irn (also write maps in IRN's .npy layout)  --gallery N (12)
          --workers N (cores)  --overlays report|all (report: overlays/ only for the gallery's images)

        fine-tune options:
          --out DIR (required)  --max-images N  --epochs N (5)  --batch N (16)  --crop N (512, multiple of 32)
          --min-long-side N (320)  --max-long-side N (640)  --lr X (0.1)  --head-lr X (1.0)
          --output-stride 16|32 (16)  --max-steps N  --seed N (0)  --device cpu|cuda (cpu)
          --arch resnet18|resnet50 (resnet18)  --state-dict PATH (resnet50: torchvision weights, .pt/.pth/.safetensors)

        A killed run re-run with the same --out continues where it stopped; the settings must be the same.
        """;

    public static Task<int> RunAsync(string[] args)
    {
        string command = args.Length == 0 ? "help" : args[0];
        try
        {
            var options = new CliArgs(args.Skip(1));
            int code = command switch
            {
                "doctor" => Doctor(options),
                "help" or "--help" or "-h" => Help(),
                "demo" => Commands.Demo(options),
                "run" or "train-cam" or "make-cam" or "fit-prototypes" or "make-lpcam" or "seeds" or "eval" => Commands.Pipeline(command, options),
                "bench" => Commands.Bench(options),
                "fine-tune" => Commands.FineTune(options),
                _ => throw new CliException($"unknown command '{command}'; run 'lpcam help'."),
            };
            return Task.FromResult(code);
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"lpcam {command}: {e.Message}");
            return Task.FromResult(2);
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    private static int Doctor(CliArgs args)
    {
        args.RejectUnknown();
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
