using System.CommandLine;
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

    private static class FineTuneSymbols
    {
        private static readonly FineTuningOptions Cpu = FineTuningRecipes.Cpu;

        public static readonly Option<string?> Out = CliOptions.OptionalString("--out", "the output folder (required)");
        public static readonly Option<int?> MaxImages = CliOptions.OptionalInt("--max-images", "use only the first N images", min: 1);
        public static readonly Option<int?> MaxSteps = CliOptions.OptionalInt("--max-steps", "stop after N steps", min: 1);
        public static readonly Option<string> Device = CliOptions.String("--device", "cpu", "where training runs", "cpu", "cuda");
        public static readonly Option<string> Recipe = CliOptions.String("--recipe", "cpu", "the recipe whose values the options below default to: cpu (3 epochs, crop 448, long side 320..512, lr 0.01) or reference (the paper's code: 5 epochs, crop 512, long side 320..640, lr 0.1)", [.. FineTuningRecipes.Names]);
        public static readonly Option<int> OutputStride = CliOptions.Int("--output-stride", Cpu.OutputStride, "16 (layer4 dilated) or 32", min: 16, max: 32);
        public static readonly Option<int> Crop = CliOptions.Int("--crop", Cpu.CropSize, "random crop side, a multiple of 32", min: 32, max: 2048);
        public static readonly Option<int> MinLongSide = CliOptions.Int("--min-long-side", Cpu.MinLongSide, "smallest random long side", min: 32, max: 4096);
        public static readonly Option<int> MaxLongSide = CliOptions.Int("--max-long-side", Cpu.MaxLongSide, "largest random long side", min: 32, max: 4096);
        public static readonly Option<string> Arch = CliOptions.String("--arch", "resnet18", "the network", "resnet18", "resnet50");
        public static readonly Option<string?> StateDict = CliOptions.OptionalString("--state-dict", "torchvision ResNet-50 weights (.pt, .pth or .safetensors; --arch resnet50)");
        public static readonly Option<int> Epochs = CliOptions.Int("--epochs", Cpu.Epochs, "epochs over the dataset", min: 1, max: 10_000);
        public static readonly Option<int> Batch = CliOptions.Int("--batch", Cpu.BatchSize, "images per step", min: 1, max: 1024);
        public static readonly Option<double> Lr = CliOptions.Double("--lr", Cpu.BackboneLearningRate, "backbone learning rate", min: 0);
        public static readonly Option<double> HeadLr = CliOptions.Double("--head-lr", Cpu.HeadLearningRate, "classifier learning rate", min: 1e-12);
        public static readonly Option<int> Seed = CliOptions.Int("--seed", 0, "seed of the crops, flips and order");
        public static readonly Option<int> FirstStage = CliOptions.Int("--first-stage", Cpu.FirstTrainedStage, "first trained residual stage (1: all, the reference; 4: layer4 only); earlier stages stay frozen", min: 1, max: 4);
        public static readonly Option<string> HeadStart = CliOptions.String("--head-start", HeadStartName(Cpu.HeadStart), "how the classifier starts: random (the reference) or linear-probe (a head trained on the pretrained features first, LP-FT)", "random", "linear-probe");
        public static readonly Option<int> CheckpointEvery = CliOptions.Int("--checkpoint-every", FineTuningCheckpoints.DefaultEverySteps, "save a checkpoint every N steps (and at each epoch's end)", min: 1, max: 1_000_000);

        public static IEnumerable<Option> All => [Out, MaxImages, MaxSteps, Device, Recipe, OutputStride, Crop, MinLongSide, MaxLongSide, Arch, StateDict, Epochs, Batch, Lr, HeadLr, Seed, FirstStage, HeadStart, CheckpointEvery];
    }

    /// <summary>The fine-tune command, with the dataset options.</summary>
    public static Command FineTune()
    {
        var command = new Command("fine-tune", $"fine-tune ResNet-18 (or ResNet-50) and a 1x1 classifier on the dataset's image labels (--recipe cpu, or reference: the paper's code); resumable (DIR/checkpoint); writes DIR/{FineTunedModelFile}, for --backbone DIR/{FineTunedModelFile}:TENSOR (TENSOR: ReLU393_Output_0 for resnet18, Layer4Features for resnet50)");
        foreach (var option in DatasetArgs.All.Concat(FineTuneSymbols.All)) command.Options.Add(option);
        command.SetAction(FineTune);
        return command;
    }

    /// <summary>
    /// fine-tune: a recipe (FineTuningRecipes: cpu by default, or reference) run by FineTuner, with checkpoints, on the dataset's images and image-level labels; writes the
    /// fine-tuned ResNet-18 (--arch resnet18, the default) or ResNet-50 (--arch resnet50 --state-dict PATH, torchvision
    /// weights) as ONNX (RGB 0..255 in, preprocessing folded) and finetune.json, and says how to use it.
    /// </summary>
    private static int FineTune(ParseResult args)
    {
        string outDir = args.GetValue(FineTuneSymbols.Out) ?? throw new CliException("name the output folder: --out DIR.");
        int? maxImages = args.GetValue(FineTuneSymbols.MaxImages);
        int? maxSteps = args.GetValue(FineTuneSymbols.MaxSteps);
        string device = args.GetValue(FineTuneSymbols.Device)!;
        var recipe = FineTuningRecipes.ByName(args.GetValue(FineTuneSymbols.Recipe)!);
        // An option given on the command line wins; the others take the recipe's value.
        T Pick<T>(Option<T> option, T recipeValue) => args.GetResult(option) is { Implicit: false } ? args.GetValue(option)! : recipeValue;
        int stride = Pick(FineTuneSymbols.OutputStride, recipe.OutputStride);
        if (stride is not (16 or 32)) throw new CliException($"option --output-stride is {stride}; expected 16 or 32.");
        int crop = Pick(FineTuneSymbols.Crop, recipe.CropSize);
        if (crop % 32 != 0) throw new CliException($"option --crop is {crop}; expected a multiple of 32.");
        int minLong = Pick(FineTuneSymbols.MinLongSide, recipe.MinLongSide);
        int maxLong = Pick(FineTuneSymbols.MaxLongSide, recipe.MaxLongSide);
        if (maxLong < minLong) throw new CliException($"option --max-long-side ({maxLong}) is below --min-long-side ({minLong}).");
        string arch = args.GetValue(FineTuneSymbols.Arch)!;
        string? stateDict = args.GetValue(FineTuneSymbols.StateDict);
        if (arch == "resnet50" && stateDict is null)
            throw new CliException("--arch resnet50 needs the torchvision weights: --state-dict PATH (.pt, .pth or .safetensors).");
        if (arch == "resnet18" && stateDict is not null)
            throw new CliException("--state-dict is for --arch resnet50 (the ResNet-18 comes from the ML.NET package).");
        if (stateDict is not null && !File.Exists(stateDict)) throw new CliException($"option --state-dict: file not found: '{stateDict}'.");
        var options = new FineTuningOptions
        {
            Epochs = Pick(FineTuneSymbols.Epochs, recipe.Epochs),
            BatchSize = Pick(FineTuneSymbols.Batch, recipe.BatchSize),
            CropSize = crop,
            MinLongSide = minLong,
            MaxLongSide = maxLong,
            BackboneLearningRate = Pick(FineTuneSymbols.Lr, recipe.BackboneLearningRate),
            HeadLearningRate = Pick(FineTuneSymbols.HeadLr, recipe.HeadLearningRate),
            PolyPower = recipe.PolyPower,
            WeightDecay = recipe.WeightDecay,
            OutputStride = stride,
            MaxSteps = maxSteps,
            Seed = args.GetValue(FineTuneSymbols.Seed),
            FirstTrainedStage = Pick(FineTuneSymbols.FirstStage, recipe.FirstTrainedStage),
            HeadStart = args.GetResult(FineTuneSymbols.HeadStart) is { Implicit: false }
                ? ParseHeadStart(args.GetValue(FineTuneSymbols.HeadStart)!)
                : recipe.HeadStart,
            Device = device,
        };
        var dataset = DatasetArgs.Open(args);

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
        Console.WriteLine($"recipe: {args.GetValue(FineTuneSymbols.Recipe)} (options given override it): {options.Epochs} epochs, batch {options.BatchSize}, crop {crop}, long side {minLong}..{maxLong}, " +
            $"lr {Fmt(options.BackboneLearningRate)} / head {Fmt(options.HeadLearningRate)}, poly {Fmt(options.PolyPower)}, " +
            $"weight decay {Fmt(options.WeightDecay)}, output stride {stride}, stages {options.FirstTrainedStage}..4 trained, head start {HeadStartName(options.HeadStart)}" +
            $"{(maxSteps is int m ? $", at most {m} steps" : "")}, device {device}");
        string? oneDnnOff;
        try { oneDnnOff = OneDnnGuard.Ensure(arch == "resnet50" ? ResNetBlock.Bottleneck : ResNetBlock.Basic); }
        catch (ArgumentException e) { throw new CliException(e.Message); }
        if (device == "cpu" && oneDnnOff is not null)
            Console.WriteLine($"note: libtorch's oneDNN convolutions are off ({oneDnnOff}); its own convolutions run instead");

        var checkpoints = new FineTuningCheckpoints(Path.Combine(outDir, CheckpointFolder), DataFingerprint(arch, names, labels),
            args.GetValue(FineTuneSymbols.CheckpointEvery));
        var clock = Stopwatch.StartNew();
        int trainedHere = 0;
        double epochSeconds = 0, trainedSeconds = 0;
        void Report(FineTuningStep s)
        {
            if (trainedHere == 0 && s.Step > 0) Console.WriteLine($"resumed from the checkpoint in {checkpoints.Folder} after step {s.Step}/{s.TotalSteps}");
            trainedHere++;
            epochSeconds += s.Seconds;
            trainedSeconds += s.Seconds; // steps only: the linear probe before them does not recur
            var left = TimeSpan.FromSeconds(trainedSeconds / trainedHere * (s.TotalSteps - s.Step - 1));
            Console.WriteLine($"step {s.Step + 1}/{s.TotalSteps} (epoch {s.Epoch + 1}): loss {s.Loss:F4}, lr {s.BackboneLearningRate:G4} / head {s.HeadLearningRate:G4}, " +
                $"{s.Seconds:F1} s, left {left:h\\:mm\\:ss}");
            if (s.EndsEpoch)
            {
                Console.WriteLine($"epoch {s.Epoch + 1}: {TimeSpan.FromSeconds(epochSeconds):m\\:ss} for the steps trained in this process; checkpoint saved in {checkpoints.Folder}");
                epochSeconds = 0;
            }
        }

        Progress? probe = null;
        void ProbeReport(int done, int total)
        {
            probe ??= new Progress("linear probe", total);
            probe.Tick();
            if (done == total) { probe.Dispose(); Console.WriteLine("linear probe: head trained on the pretrained features; fine-tuning starts from it."); }
        }

        FineTuningResult result;
        try
        {
            if (stateDict is null)
                result = FineTuner.FineTuneOnImages(names.Count, i => dataset.LoadImage(names[i]), labels, options, progress: Report, checkpoints: checkpoints,
                    probeProgress: ProbeReport);
            else
            {
                using var network = ResNet50.FromStateDict(stateDict, stride);
                result = FineTuner.FineTuneOnImages(network, names.Count, i => dataset.LoadImage(names[i]), labels, options, progress: Report, checkpoints: checkpoints,
                    probeProgress: ProbeReport);
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
            recipe = args.GetValue(FineTuneSymbols.Recipe),
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
                first_trained_stage = options.FirstTrainedStage,
                head_start = HeadStartName(options.HeadStart),
                device,
            },
            resumed_from_step = result.ResumedFromStep,
            steps = result.Steps.Select(s => new { step = s.Step, epoch = s.Epoch, loss = s.Loss, lr = s.BackboneLearningRate, head_lr = s.HeadLearningRate, seconds = s.Seconds }),
            epoch_losses = result.EpochLosses,
            seconds_per_step = result.Steps.Average(s => s.Seconds),
            seconds_per_epoch = result.Steps.GroupBy(s => s.Epoch).OrderBy(g => g.Key).Select(g => g.Sum(s => s.Seconds)),
            total_seconds = clock.Elapsed.TotalSeconds,
            training_seconds = result.Steps.Sum(s => s.Seconds),
        };
        RunFolder.WriteJson(jsonPath, record);

        if (result.ResumedFromStep == result.Steps.Count)
            Console.WriteLine($"fine-tune: the checkpoint in {checkpoints.Folder} has all {result.Steps.Count} steps; the model is written from it.");
        Console.WriteLine($"fine-tune: {result.Steps.Count} steps ({result.Steps.Count - result.ResumedFromStep} in this process, {clock.Elapsed.TotalSeconds:F1} s), " +
            $"{result.Steps.Sum(s => s.Seconds):F1} s of training in all ({result.Steps.Average(s => s.Seconds):F1} s/step), " +
            $"epoch losses [{string.Join(", ", result.EpochLosses.Select(l => l.ToString("F4", CultureInfo.InvariantCulture)))}]");
        Console.WriteLine($"wrote {modelPath} and {jsonPath}");
        Console.WriteLine($"use it: lpcam run ... --backbone {modelPath}:{result.Model.OutputName}");
        Console.WriteLine("  (the model takes RGB 0..255 and normalises it itself; lpcam recognises it by its metadata)");
        return 0;
    }

    private static string Fmt(double v) => v.ToString("G", CultureInfo.InvariantCulture);

    /// <summary>Folder of the fine-tuning checkpoints in the --out folder.</summary>
    public const string CheckpointFolder = "checkpoint";

    /// <summary>SHA-256 of the network's name and each image's name and labels: a checkpoint continues only on the same data.</summary>
    private static string DataFingerprint(string arch, IReadOnlyList<string> names, IReadOnlyList<float[]> labels)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(arch + "\n"));
        for (int i = 0; i < names.Count; i++)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(names[i] + ":" + string.Join(",", labels[i].Select((v, c) => v > 0 ? c : -1).Where(c => c >= 0)) + "\n"));
        }
        return $"arch={arch}; data-sha256={Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()}";
    }

    private static string HeadStartName(FineTuningHeadStart start) => start == FineTuningHeadStart.LinearProbe ? "linear-probe" : "random";

    private static FineTuningHeadStart ParseHeadStart(string name) => name == "linear-probe" ? FineTuningHeadStart.LinearProbe : FineTuningHeadStart.Random;
}
