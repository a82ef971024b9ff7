using System.Diagnostics;
using System.Globalization;
using LpCam.Cli.Pipeline;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.FineTuning;

namespace LpCam.Cli;

internal static partial class Commands
{
    /// <summary>File name of the fine-tuned backbone in the --out folder.</summary>
    public const string FineTunedModelFile = "backbone-finetuned.onnx";

    /// <summary>File name of the fine-tuning record (options, losses, seconds) in the --out folder.</summary>
    public const string FineTuneJsonFile = "finetune.json";

    /// <summary>
    /// fine-tune: the reference classifier recipe (FineTuner) on the dataset's images and image-level labels; writes the
    /// fine-tuned ResNet-18 (--arch resnet18, the default) or ResNet-50 (--arch resnet50 --state-dict PATH, torchvision
    /// weights) as ONNX (RGB 0..255 in, preprocessing folded) and finetune.json, and says how to use it.
    /// </summary>
    public static int FineTune(CliArgs args)
    {
        var dataset = DatasetArgs.Open(args);
        int? maxImages = args.String("max-images") is null ? null : args.Int("max-images", 0, min: 1);
        string outDir = args.String("out") ?? throw new CliException("name the output folder: --out DIR.");
        int? maxSteps = args.String("max-steps") is null ? null : args.Int("max-steps", 0, min: 1);
        string device = args.String("device", "cpu")!;
        if (device is not ("cpu" or "cuda")) throw new CliException($"option --device is '{device}'; expected cpu or cuda.");
        int stride = args.Int("output-stride", FineTuningOptions.Defaults.OutputStride);
        if (stride is not (16 or 32)) throw new CliException($"option --output-stride is {stride}; expected 16 or 32.");
        int crop = args.Int("crop", FineTuningOptions.Defaults.CropSize, min: 32, max: 2048);
        if (crop % 32 != 0) throw new CliException($"option --crop is {crop}; expected a multiple of 32.");
        int minLong = args.Int("min-long-side", FineTuningOptions.Defaults.MinLongSide, min: 32, max: 4096);
        int maxLong = args.Int("max-long-side", FineTuningOptions.Defaults.MaxLongSide, min: 32, max: 4096);
        if (maxLong < minLong) throw new CliException($"option --max-long-side ({maxLong}) is below --min-long-side ({minLong}).");
        string arch = args.String("arch", "resnet18")!;
        if (arch is not ("resnet18" or "resnet50")) throw new CliException($"option --arch is '{arch}'; expected resnet18 or resnet50.");
        string? stateDict = args.String("state-dict");
        if (arch == "resnet50" && stateDict is null)
            throw new CliException("--arch resnet50 needs the torchvision weights: --state-dict PATH (.pt, .pth or .safetensors).");
        if (arch == "resnet18" && stateDict is not null)
            throw new CliException("--state-dict is for --arch resnet50 (the ResNet-18 comes from the ML.NET package).");
        if (stateDict is not null && !File.Exists(stateDict)) throw new CliException($"state_dict file not found: '{stateDict}'.");
        var options = new FineTuningOptions
        {
            Epochs = args.Int("epochs", FineTuningOptions.Defaults.Epochs, min: 1),
            BatchSize = args.Int("batch", FineTuningOptions.Defaults.BatchSize, min: 1, max: 1024),
            CropSize = crop,
            MinLongSide = minLong,
            MaxLongSide = maxLong,
            BackboneLearningRate = args.Double("lr", FineTuningOptions.Defaults.BackboneLearningRate, min: 0),
            HeadLearningRate = args.Double("head-lr", FineTuningOptions.Defaults.HeadLearningRate, min: 1e-12),
            OutputStride = stride,
            MaxSteps = maxSteps,
            Seed = args.Int("seed", 0),
            Device = device,
        };
        args.RejectUnknown();

        dataset = dataset.Take(maxImages);
        var names = dataset.Names;
        int classes = dataset.ClassNames.Count;
        var labels = names.Select(n =>
        {
            var multiHot = new float[classes];
            foreach (int c in dataset.Classes(n)) multiHot[c] = 1;
            return multiHot;
        }).ToList();
        Directory.CreateDirectory(outDir);
        string modelPath = Path.Combine(outDir, FineTunedModelFile), jsonPath = Path.Combine(outDir, FineTuneJsonFile);
        Console.WriteLine($"lpcam fine-tune: {dataset.Description}, {names.Count} images, {classes} classes -> {Path.GetFullPath(outDir)}");
        Console.WriteLine($"backbone: {arch}{(stateDict is null ? "" : $" from {Path.GetFullPath(stateDict)}")}");
        Console.WriteLine($"recipe: {options.Epochs} epochs, batch {options.BatchSize}, crop {crop}, long side {minLong}..{maxLong}, " +
            $"lr {Fmt(options.BackboneLearningRate)} / head {Fmt(options.HeadLearningRate)}, poly {Fmt(options.PolyPower)}, " +
            $"weight decay {Fmt(options.WeightDecay)}, output stride {stride}{(maxSteps is int m ? $", at most {m} steps" : "")}, device {device}");

        var clock = Stopwatch.StartNew();
        void Report(FineTuningStep s)
        {
            double elapsed = clock.Elapsed.TotalSeconds;
            var left = TimeSpan.FromSeconds(elapsed / (s.Step + 1) * (s.TotalSteps - s.Step - 1));
            Console.WriteLine($"step {s.Step + 1}/{s.TotalSteps} (epoch {s.Epoch + 1}): loss {s.Loss:F4}, lr {s.BackboneLearningRate:G4} / head {s.HeadLearningRate:G4}, " +
                $"{s.Seconds:F1} s, left {left:h\\:mm\\:ss}");
        }

        FineTuningResult result;
        try
        {
            if (stateDict is null)
                result = FineTuner.FineTuneOnImages(names.Count, i => dataset.LoadImage(names[i]), labels, options, progress: Report);
            else
            {
                using var network = ResNet50.FromStateDict(stateDict, stride);
                result = FineTuner.FineTuneOnImages(network, names.Count, i => dataset.LoadImage(names[i]), labels, options, progress: Report);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            throw new CliException(e.Message);
        }

        result.Model.Save(modelPath); // atomic
        var record = new
        {
            dataset = dataset.Description,
            images = names.Count,
            classes = dataset.ClassNames,
            arch,
            state_dict = stateDict is null ? null : Path.GetFullPath(stateDict),
            model = FineTunedModelFile,
            model_name = result.Model.Name,
            input = result.Model.InputName,
            output = result.Model.OutputName,
            stride = result.Model.Stride,
            options = new
            {
                epochs = options.Epochs,
                batch = options.BatchSize,
                crop = options.CropSize,
                min_long_side = options.MinLongSide,
                max_long_side = options.MaxLongSide,
                lr = options.BackboneLearningRate,
                head_lr = options.HeadLearningRate,
                poly_power = options.PolyPower,
                weight_decay = options.WeightDecay,
                horizontal_flip = options.HorizontalFlip,
                output_stride = options.OutputStride,
                max_steps = options.MaxSteps,
                seed = options.Seed,
                device,
            },
            steps = result.Steps.Select(s => new { step = s.Step, epoch = s.Epoch, loss = s.Loss, lr = s.BackboneLearningRate, head_lr = s.HeadLearningRate, seconds = s.Seconds }),
            epoch_losses = result.EpochLosses,
            seconds_per_step = result.Steps.Average(s => s.Seconds),
            total_seconds = clock.Elapsed.TotalSeconds,
        };
        RunFolder.WriteJson(jsonPath, record);

        Console.WriteLine($"fine-tune: {result.Steps.Count} steps in {clock.Elapsed.TotalSeconds:F1} s ({result.Steps.Average(s => s.Seconds):F1} s/step), " +
            $"epoch losses [{string.Join(", ", result.EpochLosses.Select(l => l.ToString("F4", CultureInfo.InvariantCulture)))}]");
        Console.WriteLine($"wrote {modelPath} and {jsonPath}");
        Console.WriteLine($"use it: lpcam run ... --backbone {modelPath}:{result.Model.OutputName}");
        Console.WriteLine("  (the model takes RGB 0..255 and normalises it itself; lpcam recognises it by its metadata)");
        return 0;
    }

    private static string Fmt(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}
