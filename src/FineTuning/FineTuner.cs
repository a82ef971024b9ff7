using System.Diagnostics;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Interop;
using LpCam.MLNet.Images;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LpCam.MLNet.FineTuning;

/// <summary>
/// End-to-end fine-tuning of a pretrained backbone (the ResNet-18 or the reference's ResNet-50) and a bias-free 1x1
/// classifier head on images with multi-hot labels, with the reference recipe (see <see cref="FineTuningOptions"/>), in
/// TorchSharp on the CPU or CUDA. The result is an ONNX graph (<see cref="ToOnnx"/>), so inference runs on ONNX Runtime:
/// the ResNet-18 is written back into the rewritten ONNX model (<see cref="OnnxWriteBack"/>), the ResNet-50 exported
/// (<see cref="ResNet50Onnx"/>).
/// </summary>
/// <remarks>
/// <para>Logits: global average pooling of the feature map of the whole (padded) crop, then the head W [C, D]; the loss
/// is the multilabel soft margin loss. The network stays in eval mode, so BatchNorm uses its running statistics while
/// its scale and bias are trained; conv1 and bn1 are frozen. The update is plain SGD:
/// <c>p -= lr (grad + weight_decay p)</c>, with the head's learning rate separate.</para>
/// <para>The ResNet-18 is loaded from the rewritten ONNX model (the constructor); the ResNet-50 is a module given by the
/// caller (<see cref="ForResNet50"/>, for example from <see cref="ResNet50.FromStateDict"/>), trained in place. Crops
/// are RGB 0..255 padded with the backbone's padding pixel; for the ResNet-50 the ImageNet normalisation is applied
/// before the module.</para>
/// <para>Holds native tensors: dispose it. Not thread-safe.</para>
/// </remarks>
public sealed class FineTuner : IDisposable
{
    private readonly Parameter _head;
    private readonly IFeatureNetwork _net;
    private readonly bool _ownsNetwork;
    private readonly List<Parameter> _trainable;
    private readonly Random _random;
    private readonly Device _device;
    private bool _disposed;

    /// <summary>Loads the pretrained network and initialises the head.</summary>
    /// <param name="pretrained">The rewritten ResNet-18 (<see cref="ResNet18Rewriter.Rewrite"/>) at <see cref="FineTuningOptions.OutputStride"/>.</param>
    /// <param name="classCount">Number of classes C.</param>
    /// <param name="options">The recipe; null: the defaults.</param>
    /// <param name="initialHead">Starting head weights (for example trained on frozen features); null: uniform in
    /// ±1/sqrt(512) from the seed, as PyTorch initialises a 1x1 convolution.</param>
    /// <exception cref="ArgumentException">The model's stride differs from the options', or the head does not fit.</exception>
    public FineTuner(BackboneOnnxModel pretrained, int classCount, FineTuningOptions? options = null, ClassifierHead? initialHead = null)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        Options = options ?? new FineTuningOptions();
        Options.Validate();
        if (pretrained.Stride != Options.OutputStride)
            throw new ArgumentException($"The model '{pretrained.Name}' has output stride {pretrained.Stride}; the options ask for {Options.OutputStride}.", nameof(pretrained));
        if (initialHead is not null && (initialHead.ClassCount != classCount || initialHead.FeatureDim != pretrained.FeatureDim))
            throw new ArgumentException($"The initial head is {initialHead.ClassCount} x {initialHead.FeatureDim}; expected {classCount} x {pretrained.FeatureDim}.", nameof(initialHead));
        Pretrained = pretrained;
        ClassCount = classCount;
        _ownsNetwork = true;
        _device = TorchDevice.Resolve(Options.Device);
        _random = new Random(Options.Seed);
        _net = new ResNet18FeatureNetwork(ResNet18.FromOnnx(pretrained), pretrained);
        (_trainable, _head) = Prepare(initialHead);
    }

    private FineTuner(ResNet network, int classCount, FineTuningOptions? options, ClassifierHead? initialHead)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network.PixelMeanRgb is not null)
            throw new ArgumentException("The network subtracts a pixel mean (the CNTK layout of the ONNX ResNet-18); this tuner feeds it ImageNet-normalised images. Fine-tune the ResNet-18 from its ONNX model (the constructor).", nameof(network));
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        Options = options ?? new FineTuningOptions();
        Options.Validate();
        if (network.OutputStride != Options.OutputStride)
            throw new ArgumentException($"The network has output stride {network.OutputStride}; the options ask for {Options.OutputStride}.", nameof(network));
        if (initialHead is not null && (initialHead.ClassCount != classCount || initialHead.FeatureDim != network.FeatureDim))
            throw new ArgumentException($"The initial head is {initialHead.ClassCount} x {initialHead.FeatureDim}; expected {classCount} x {network.FeatureDim}.", nameof(initialHead));
        ClassCount = classCount;
        _device = TorchDevice.Resolve(Options.Device);
        _random = new Random(Options.Seed);
        _net = new ResNet50FeatureNetwork(network);
        (_trainable, _head) = Prepare(initialHead);
    }

    /// <summary>
    /// A tuner of the reference's ResNet-50 (for example <see cref="ResNet50.FromStateDict"/>) with the recipe: the module
    /// is trained in place (moved to the options' device, put in eval mode, its stem conv1 and bn1 frozen with
    /// <c>requires_grad = false</c>) and stays the caller's (disposing the tuner does not dispose it). Crops are RGB
    /// 0..255 padded with the ImageNet mean pixel and ImageNet-normalised before the module; <see cref="ToOnnx"/> exports
    /// it with <see cref="ResNet50Onnx.Export"/>. <see cref="Pretrained"/> is null.
    /// </summary>
    /// <param name="network">The module (a torchvision-layout <see cref="ResNet"/>, without a pixel mean); its output stride
    /// must equal <see cref="FineTuningOptions.OutputStride"/>.</param>
    /// <param name="classCount">Number of classes C.</param>
    /// <param name="options">The recipe; null: the defaults.</param>
    /// <param name="initialHead">Starting head weights, C x 2048; null: uniform in ±1/sqrt(2048) from the seed.</param>
    /// <exception cref="ArgumentException">The module's stride differs from the options', it subtracts a pixel mean, or the
    /// head does not fit.</exception>
    public static FineTuner ForResNet50(ResNet network, int classCount, FineTuningOptions? options = null, ClassifierHead? initialHead = null) =>
        new(network, classCount, options, initialHead);

    private (List<Parameter> Trainable, Parameter Head) Prepare(ClassifierHead? initialHead)
    {
        int classCount = ClassCount;
        using var scope = NewDisposeScope();
        var module = _net.Module;
        module.to(_device);
        module.eval();
        foreach (var p in _net.ParametersBefore(Options.FirstTrainedStage)) p.requires_grad = false;
        var trainable = module.parameters().Where(p => p.requires_grad).ToList();

        int d = _net.FeatureDim;
        // A generator of its own: torch's global one is shared by every thread (tests and apps that train in parallel).
        using var generator = new Generator((ulong)Options.Seed);
        var init = initialHead is not null
            ? tensor(initialHead.Weights, [classCount, d])
            : rand([classCount, d], generator: generator).mul_(2).sub_(1).mul_(1.0 / Math.Sqrt(d));
        var head = new Parameter(init.to(_device).detach().clone(), requires_grad: true);
        head.MoveToOuterDisposeScope();
        return (trainable, head);
    }

    /// <summary>The network being trained (a <see cref="ResNet"/> made by <see cref="ResNet18"/> or <see cref="ResNet50"/>).</summary>
    public nn.Module<Tensor, Tensor> Network => _net.Module;

    /// <summary>The model the ResNet-18 was loaded from (the write-back template); null for a ResNet-50.</summary>
    public BackboneOnnxModel? Pretrained { get; }

    /// <summary>The recipe.</summary>
    public FineTuningOptions Options { get; }

    /// <summary>Number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The device the network runs on.</summary>
    public string DeviceName => _device.ToString();

    /// <summary>A copy of the current head weights.</summary>
    public ClassifierHead Head
    {
        get
        {
            using var scope = NewDisposeScope();
            return new ClassifierHead(ClassCount, _net.FeatureDim, _head.detach().cpu().contiguous().data<float>().ToArray());
        }
    }

    /// <summary>
    /// The loss of same-size images without augmentation and without updating anything: the features of the images
    /// (padded like <see cref="OnnxBackbone"/> and cropped to the image), average-pooled, through the head.
    /// </summary>
    public double Loss(IReadOnlyList<RgbImage> sameSizeImages, IReadOnlyList<float[]> labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckBatch(sameSizeImages, labels);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = _net.Features(sameSizeImages);
        return LossOf(features, labels).item<float>();
    }

    /// <summary>
    /// One SGD step on a batch: each image is augmented (random long side, flip, crop), then the loss is back-propagated
    /// and the parameters updated with the learning rates times <paramref name="learningRateFactor"/>.
    /// </summary>
    /// <returns>The batch's loss before the update.</returns>
    public double TrainStep(IReadOnlyList<RgbImage> images, IReadOnlyList<float[]> labels, double learningRateFactor = 1.0) =>
        TrainStep(images, labels, learningRateFactor, _random);

    private double TrainStep(IReadOnlyList<RgbImage> images, IReadOnlyList<float[]> labels, double learningRateFactor, Random random)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckBatch(images, labels, sameSize: false);
        using var scope = NewDisposeScope();
        int crop = Options.CropSize;
        var placements = images.Select(x => Augment(x, random)).ToList();
        using var input = tensor(ImageBatch.Place(placements, crop, crop, _net.PadPixelRgb), [images.Count, 3, crop, crop], device: _device);
        var loss = LossOf(_net.Forward(input), labels);
        ZeroGrad();
        loss.backward();
        using (no_grad())
        {
            Update(_trainable, Options.BackboneLearningRate * learningRateFactor);
            Update([_head], Options.HeadLearningRate * learningRateFactor);
        }
        ZeroGrad();
        return loss.item<float>();
    }

    /// <summary>
    /// Trains over <paramref name="count"/> images for <see cref="FineTuningOptions.Epochs"/> epochs (shuffled each epoch,
    /// the last incomplete batch dropped), with the poly decay over all steps; with <paramref name="checkpoints"/>, it
    /// first continues from the folder's checkpoint when there is one, and saves its state as it goes.
    /// </summary>
    /// <param name="count">Number of training images.</param>
    /// <param name="image">Loads image i (called once per use, so images need not stay in memory).</param>
    /// <param name="labels">Multi-hot labels of image i, C values.</param>
    /// <param name="progress">Receives every step trained by this call (not the steps restored from a checkpoint).</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="checkpoints">Where to save and resume; null: no checkpoints.</param>
    /// <param name="probeProgress">With <see cref="FineTuningHeadStart.LinearProbe"/>: receives (images done, images) while
    /// the probe's features are computed.</param>
    /// <returns>Every step of the run, in order (restored ones first).</returns>
    /// <exception cref="InvalidDataException">The folder's checkpoint is damaged, or was made with other options, data or
    /// network; the message names the difference.</exception>
    /// <remarks>With <see cref="FineTuningHeadStart.LinearProbe"/> and nothing to resume, the head is first fitted by
    /// <see cref="FitLinearProbe"/>; a resumed run takes its head from the checkpoint.</remarks>
    public IReadOnlyList<FineTuningStep> Train(int count, Func<int, RgbImage> image, Func<int, float[]> labels,
        Action<FineTuningStep>? progress = null, CancellationToken cancellationToken = default, FineTuningCheckpoints? checkpoints = null,
        Action<int, int>? probeProgress = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        checkpoints?.Validate();
        int batch = Math.Min(Options.BatchSize, count);
        int perEpoch = count / batch;
        int total = perEpoch * Options.Epochs;
        if (Options.MaxSteps is int max) total = Math.Min(total, max);
        string fingerprint = checkpoints is null ? "" : $"{checkpoints.Fingerprint}; images={count}; network={NetworkDescription}";
        var steps = new List<FineTuningStep>(checkpoints is null ? [] : Restore(checkpoints, fingerprint));
        ResumedFromStep = steps.Count;
        if (steps.Count == 0 && Options.HeadStart == FineTuningHeadStart.LinearProbe)
            FitLinearProbe(count, image, labels, probeProgress, cancellationToken);
        var order = new int[count];
        int lastSaved = steps.Count;
        while (steps.Count < total)
        {
            int epoch = steps.Count / perEpoch, first = epoch * perEpoch;
            Shuffle(order, epoch);
            for (int b = steps.Count - first; b < perEpoch && steps.Count < total; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var watch = Stopwatch.StartNew();
                var indices = order.AsSpan(b * batch, batch).ToArray();
                var images = indices.Select(image).ToList();
                var targets = indices.Select(labels).ToList();
                int index = steps.Count;
                double factor = Options.PolyPower == 0 ? 1 : Math.Pow(1.0 - (double)index / total, Options.PolyPower);
                double loss = TrainStep(images, targets, factor, StepRandom(index));
                bool endsEpoch = b == perEpoch - 1 || index == total - 1;
                var step = new FineTuningStep(epoch, index, total, loss, Options.BackboneLearningRate * factor,
                    Options.HeadLearningRate * factor, watch.Elapsed.TotalSeconds, endsEpoch);
                steps.Add(step);
                if (checkpoints is not null && (endsEpoch || steps.Count - lastSaved >= checkpoints.EverySteps))
                {
                    Save(checkpoints, fingerprint, steps);
                    lastSaved = steps.Count;
                }
                progress?.Invoke(step);
            }
        }
        return steps;
    }

    /// <summary>
    /// Sets the head to a linear probe of the current network: each image resized so its long side is the crop size, its
    /// feature map average-pooled over the image (as <see cref="Loss"/> pools), and a head trained on them with
    /// <see cref="MultiLabelHeadTrainer"/> (its defaults, this tuner's seed), as <c>lpcam run</c> trains its CAM head.
    /// </summary>
    /// <param name="count">Number of training images N.</param>
    /// <param name="image">Loads image i.</param>
    /// <param name="labels">Multi-hot labels of image i, C values.</param>
    /// <param name="progress">Receives (images done, N) after each image's features.</param>
    /// <param name="cancellationToken">Checked before every image.</param>
    /// <returns>The probe (also the tuner's head from now on, replacing any initial head).</returns>
    /// <exception cref="ArgumentException">A label vector does not have C values.</exception>
    public ClassifierHead FitLinearProbe(int count, Func<int, RgbImage> image, Func<int, float[]> labels,
        Action<int, int>? progress = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        var pooled = new List<float[]>(count);
        var targets = new List<float[]>(count);
        for (int i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var target = labels(i);
            if (target is null || target.Length != ClassCount)
                throw new ArgumentException($"Label vector {i} has {target?.Length ?? 0} values; expected {ClassCount}.", nameof(labels));
            var x = image(i).ResizeLongSide(Options.CropSize);
            using (var scope = NewDisposeScope())
            using (no_grad())
                pooled.Add(_net.Features([x]).mean([2, 3]).cpu().contiguous().data<float>().ToArray());
            targets.Add(target);
            progress?.Invoke(i + 1, count);
        }
        var head = new MultiLabelHeadTrainer(new MultiLabelHeadOptions { Seed = Options.Seed }, _device).Train(pooled, targets).Head;
        using (no_grad()) _head.copy_(tensor(head.Weights, [ClassCount, _net.FeatureDim]).to(_device));
        return head;
    }

    /// <summary>Steps restored from a checkpoint by the last <see cref="Train"/> (0: it started from the pretrained network).</summary>
    public int ResumedFromStep { get; private set; }

    private string NetworkDescription => $"{_net.Module.GetType().Name} d={_net.FeatureDim} stride={_net.OutputStride} classes={ClassCount} from={Pretrained?.Name ?? "module"}";

    private void Shuffle(int[] order, int epoch)
    {
        var random = new Random(unchecked(Options.Seed * 1_000_003 + epoch));
        for (int i = 0; i < order.Length; i++) order[i] = i;
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private Random StepRandom(int step) => new(unchecked(Options.Seed * 1_000_003 + 7_919 * (step + 1) + 104_729));

    private IReadOnlyList<FineTuningStep> Restore(FineTuningCheckpoints checkpoints, string fingerprint)
    {
        var record = checkpoints.Read();
        if (record is null) return [];
        string options = Options.Describe();
        if (record.Options != options)
            throw new InvalidDataException($"The checkpoint in '{checkpoints.Folder}' was made with other options ({record.Options}); these are {options}. " +
                "Use another folder, or delete it to start again.");
        if (record.Fingerprint != fingerprint)
            throw new InvalidDataException($"The checkpoint in '{checkpoints.Folder}' was made on other data or another network ({record.Fingerprint}); " +
                $"this run is {fingerprint}. Use another folder, or delete it to start again.");
        using var scope = NewDisposeScope();
        try
        {
            _net.Module.load(checkpoints.WeightsPath(record.StepsDone), strict: true);
            var head = Npz.Read(checkpoints.HeadPath(record.StepsDone));
            if (!head.TryGetValue("head", out var w) || w.Shape.Count != 2 || w.Shape[0] != ClassCount || w.Shape[1] != _net.FeatureDim)
                throw new InvalidDataException($"'{checkpoints.HeadPath(record.StepsDone)}' holds no {ClassCount} x {_net.FeatureDim} 'head' array.");
            using (no_grad()) _head.copy_(tensor(w.AsFloat32(), [ClassCount, _net.FeatureDim]).to(_device));
        }
        catch (Exception e) when (e is not InvalidDataException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"The checkpoint in '{checkpoints.Folder}' could not be loaded ({e.Message}); delete the folder to start again.", e);
        }
        return record.Steps;
    }

    private void Save(FineTuningCheckpoints checkpoints, string fingerprint, IReadOnlyList<FineTuningStep> steps)
    {
        Directory.CreateDirectory(checkpoints.Folder);
        int done = steps.Count;
        AtomicFile.Write(checkpoints.WeightsPath(done), stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            _net.Module.save(writer);
        });
        var head = Head;
        Npz.Write(checkpoints.HeadPath(done), [new("head", NpyArray.Create(head.Weights, head.ClassCount, head.FeatureDim))]);
        checkpoints.Write(new CheckpointRecord(fingerprint, Options.Describe(), done, steps.ToList()));
    }

    /// <summary>
    /// The fine-tuned network as an ONNX backbone with the head attached: the ResNet-18 written back into a copy of
    /// <see cref="Pretrained"/> (default name: its name plus <c>-finetuned</c>), the ResNet-50 exported with
    /// <see cref="ResNet50Onnx.Export"/> (default name <c>resnet50-os{stride}-finetuned</c>).
    /// </summary>
    /// <param name="name">The model's name; null: the default.</param>
    public BackboneOnnxModel ToOnnx(string? name = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _net.ToOnnx(Head, name);
    }

    /// <summary>
    /// Fine-tunes the pretrained ResNet-18 on image files with multi-hot labels and returns the ONNX model with the
    /// fine-tuned weights and head.
    /// </summary>
    /// <param name="imagePaths">Image files (JPEG, PNG, ...), decoded when used.</param>
    /// <param name="labels">Multi-hot labels per image, all of one length C.</param>
    /// <param name="options">The recipe; null: the defaults (<see cref="FineTuningOptions"/>).</param>
    /// <param name="pretrained">The starting model; null: <see cref="ResNet18Rewriter.Rewrite"/> at the options' stride.</param>
    /// <param name="progress">Receives every step (loss, learning rates, seconds).</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <exception cref="ArgumentException">No images, a count mismatch, or labels of different lengths.</exception>
    public static FineTuningResult FineTuneOnImages(IReadOnlyList<string> imagePaths, IReadOnlyList<float[]> labels,
        FineTuningOptions? options = null, BackboneOnnxModel? pretrained = null, Action<FineTuningStep>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        if (imagePaths.Count == 0) throw new ArgumentException("Expected at least one image.", nameof(imagePaths));
        return FineTuneOnImages(imagePaths.Count, i => RgbImage.Load(imagePaths[i]), labels, options, pretrained, progress, cancellationToken);
    }

    /// <summary>
    /// Fine-tunes the pretrained ResNet-18 on images given by a loader (files, a dataset, images in memory) with multi-hot
    /// labels and returns the ONNX model with the fine-tuned weights and head: the entry point of the command-line tool.
    /// </summary>
    /// <param name="count">Number of training images N.</param>
    /// <param name="image">Loads image i (0 &lt;= i &lt; N); called every time the image is used, so images need not stay in memory.</param>
    /// <param name="labels">Multi-hot labels of the N images, all of one length C.</param>
    /// <param name="options">The recipe; null: the defaults (<see cref="FineTuningOptions"/>).</param>
    /// <param name="pretrained">The starting model; null: <see cref="ResNet18Rewriter.Rewrite"/> at the options' stride.</param>
    /// <param name="progress">Receives every step (loss, learning rates, seconds).</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="checkpoints">Where to save the state as it goes and to resume from; null: no checkpoints.</param>
    /// <param name="probeProgress">Receives (images done, images) while a linear probe's features are computed.</param>
    /// <exception cref="ArgumentException">No images, a count mismatch, or labels of different lengths.</exception>
    /// <exception cref="InvalidDataException">The checkpoint folder holds a damaged checkpoint or one of another run.</exception>
    public static FineTuningResult FineTuneOnImages(int count, Func<int, RgbImage> image, IReadOnlyList<float[]> labels,
        FineTuningOptions? options = null, BackboneOnnxModel? pretrained = null, Action<FineTuningStep>? progress = null,
        CancellationToken cancellationToken = default, FineTuningCheckpoints? checkpoints = null, Action<int, int>? probeProgress = null)
    {
        int classes = CheckLabels(count, image, labels);
        options ??= new FineTuningOptions();
        options.Validate();
        using var scope = NewDisposeScope();
        using var tuner = new FineTuner(pretrained ?? ResNet18Rewriter.Rewrite(options.OutputStride), classes, options);
        return Run(tuner, count, image, labels, progress, cancellationToken, checkpoints, probeProgress);
    }

    /// <summary>
    /// Fine-tunes the reference's ResNet-50 (trained in place, see <see cref="ForResNet50"/>) on images given by a loader
    /// with multi-hot labels and returns the exported ONNX model (<see cref="ResNet50Onnx.Export"/>) with the fine-tuned head.
    /// </summary>
    /// <param name="network">The starting module, e.g. <see cref="ResNet50.FromStateDict"/>; its output stride must
    /// equal the options'. It is modified and not disposed.</param>
    /// <param name="count">Number of training images N.</param>
    /// <param name="image">Loads image i (0 &lt;= i &lt; N); called every time the image is used.</param>
    /// <param name="labels">Multi-hot labels of the N images, all of one length C.</param>
    /// <param name="options">The recipe; null: the defaults (<see cref="FineTuningOptions"/>).</param>
    /// <param name="progress">Receives every step (loss, learning rates, seconds).</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <param name="checkpoints">Where to save the state as it goes and to resume from; null: no checkpoints.</param>
    /// <param name="probeProgress">Receives (images done, images) while a linear probe's features are computed.</param>
    /// <exception cref="ArgumentException">No images, a count mismatch, labels of different lengths, or a stride mismatch.</exception>
    /// <exception cref="InvalidDataException">The checkpoint folder holds a damaged checkpoint or one of another run.</exception>
    public static FineTuningResult FineTuneOnImages(ResNet network, int count, Func<int, RgbImage> image, IReadOnlyList<float[]> labels,
        FineTuningOptions? options = null, Action<FineTuningStep>? progress = null, CancellationToken cancellationToken = default,
        FineTuningCheckpoints? checkpoints = null, Action<int, int>? probeProgress = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        int classes = CheckLabels(count, image, labels);
        using var scope = NewDisposeScope();
        using var tuner = ForResNet50(network, classes, options);
        return Run(tuner, count, image, labels, progress, cancellationToken, checkpoints, probeProgress);
    }

    private static int CheckLabels(int count, Func<int, RgbImage> image, IReadOnlyList<float[]> labels)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        if (count < 1) throw new ArgumentException("Expected at least one image.", nameof(count));
        if (labels.Count != count)
            throw new ArgumentException($"Got {count} images and {labels.Count} label vectors.", nameof(labels));
        int classes = labels[0]?.Length ?? 0;
        if (classes < 1 || labels.Any(l => l is null || l.Length != classes))
            throw new ArgumentException($"Every label vector must have the length of the first ({classes}), at least 1.", nameof(labels));
        return classes;
    }

    private static FineTuningResult Run(FineTuner tuner, int count, Func<int, RgbImage> image, IReadOnlyList<float[]> labels,
        Action<FineTuningStep>? progress, CancellationToken cancellationToken, FineTuningCheckpoints? checkpoints, Action<int, int>? probeProgress)
    {
        var steps = tuner.Train(count, image, i => labels[i], progress, cancellationToken, checkpoints, probeProgress);
        var epochs = steps.GroupBy(s => s.Epoch).OrderBy(g => g.Key).Select(g => g.Average(s => s.Loss)).ToList();
        var model = tuner.ToOnnx();
        return new FineTuningResult(model, model.Head!, steps, epochs, tuner.ResumedFromStep);
    }

    /// <summary>Releases the network's and the head's tensors.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _head.Dispose();
        if (_ownsNetwork) _net.Module.Dispose();
    }

    private ImagePlacement Augment(RgbImage image, Random random)
    {
        int longSide = random.Next(Options.MinLongSide, Options.MaxLongSide + 1);
        var x = image.ResizeLongSide(longSide);
        if (Options.HorizontalFlip && random.Next(2) == 1) x = x.FlipHorizontal();
        int crop = Options.CropSize;
        (int src, int dst) Axis(int size) => size > crop ? (random.Next(size - crop + 1), 0) : (0, random.Next(crop - size + 1));
        var (sy, dy) = Axis(x.Height);
        var (sx, dx) = Axis(x.Width);
        return new ImagePlacement(x, sy, sx, dy, dx);
    }

    private Tensor LossOf(Tensor features, IReadOnlyList<float[]> labels)
    {
        var pooled = features.mean([2, 3]);
        var logits = pooled.matmul(_head.t());
        var targets = tensor(labels.SelectMany(l => l).ToArray(), [labels.Count, ClassCount], device: _device);
        return nn.functional.binary_cross_entropy_with_logits(logits, targets);
    }

    private void Update(IEnumerable<Parameter> parameters, double lr)
    {
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            var step = Options.WeightDecay > 0 ? g.add(p, alpha: Options.WeightDecay) : g;
            p.add_(step, alpha: -lr);
        }
    }

    private void ZeroGrad()
    {
        foreach (var p in _trainable.Append(_head)) p.grad?.zero_();
    }

    private void CheckBatch(IReadOnlyList<RgbImage> images, IReadOnlyList<float[]> labels, bool sameSize = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Count == 0) throw new ArgumentException("Expected at least one image.", nameof(images));
        if (labels.Count != images.Count) throw new ArgumentException($"Got {images.Count} images and {labels.Count} label vectors.", nameof(labels));
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] is null || labels[i].Length != ClassCount)
                throw new ArgumentException($"Label vector {i} has {labels[i]?.Length ?? 0} values; expected {ClassCount}.", nameof(labels));
        if (sameSize && images.Any(i => i.Height != images[0].Height || i.Width != images[0].Width))
            throw new ArgumentException("All images must have one size.", nameof(images));
    }
}

/// <summary>What <c>FineTuner.FineTuneOnImages</c> returns.</summary>
/// <param name="Model">The fine-tuned network as ONNX (the rewritten ResNet-18, or the exported ResNet-50; run it with <see cref="OnnxBackbone"/>);
/// its <see cref="BackboneOnnxModel.Head"/> is the fine-tuned head.</param>
/// <param name="Head">The fine-tuned head, C x D (512 for the ResNet-18, 2048 for the ResNet-50).</param>
/// <param name="Steps">Every step's loss, learning rates and time.</param>
/// <param name="EpochLosses">Mean step loss per epoch.</param>
/// <param name="ResumedFromStep">Steps restored from a checkpoint rather than trained by this call (0: none).</param>
public sealed record FineTuningResult(BackboneOnnxModel Model, ClassifierHead Head, IReadOnlyList<FineTuningStep> Steps, IReadOnlyList<double> EpochLosses,
    int ResumedFromStep = 0);
