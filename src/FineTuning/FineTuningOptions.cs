namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Options of <see cref="FineTuner"/>: the reference classifier recipe (algorithm doc, section 6) by default.
/// </summary>
/// <remarks>
/// Recipe: stem (conv1, bn1) frozen; every BatchNorm in eval mode (running statistics) with its affine parameters trained;
/// SGD without momentum, learning rate 0.1 for the backbone and 1.0 (10x) for the bias-free head, poly decay
/// <c>lr = base (1 - step / steps)^0.9</c> per step, weight decay 1e-4; 5 epochs of batch 16; augmentation: random
/// resize of the long side to 320..640, horizontal flip, random 512 x 512 crop padded with the mean pixel (zero after the
/// mean subtraction); loss: multilabel soft margin (mean over classes of sigmoid binary cross-entropy). For short CPU
/// runs use smaller crops and long sides, and smaller learning rates.
/// </remarks>
public sealed class FineTuningOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>Backbone learning rate.</summary>
        public const double BackboneLearningRate = 0.1;

        /// <summary>Head learning rate (10x the backbone's).</summary>
        public const double HeadLearningRate = 1.0;

        /// <summary>Poly decay power.</summary>
        public const double PolyPower = 0.9;

        /// <summary>L2 weight decay on every trained tensor.</summary>
        public const double WeightDecay = 1e-4;

        /// <summary>Images per step.</summary>
        public const int BatchSize = 16;

        /// <summary>Passes over the training images.</summary>
        public const int Epochs = 5;

        /// <summary>Smallest random long side.</summary>
        public const int MinLongSide = 320;

        /// <summary>Largest random long side.</summary>
        public const int MaxLongSide = 640;

        /// <summary>Square crop side.</summary>
        public const int CropSize = 512;

        /// <summary>Output stride of the network.</summary>
        public const int OutputStride = 16;

        /// <summary>First trained stage: 1 trains layer1 .. layer4 (everything after the stem, the reference).</summary>
        public const int FirstTrainedStage = 1;

        /// <summary>Head initialisation: random, as the reference.</summary>
        public const FineTuningHeadStart HeadStart = FineTuningHeadStart.Random;
    }

    /// <summary>Backbone learning rate (before decay).</summary>
    public double BackboneLearningRate { get; init; } = Defaults.BackboneLearningRate;

    /// <summary>Head learning rate (before decay).</summary>
    public double HeadLearningRate { get; init; } = Defaults.HeadLearningRate;

    /// <summary>Power of the poly decay; 0 keeps the learning rates constant.</summary>
    public double PolyPower { get; init; } = Defaults.PolyPower;

    /// <summary>L2 weight decay added to every trained tensor's gradient.</summary>
    public double WeightDecay { get; init; } = Defaults.WeightDecay;

    /// <summary>Images per step; the last incomplete batch of an epoch is dropped (unless it is the only one).</summary>
    public int BatchSize { get; init; } = Defaults.BatchSize;

    /// <summary>Passes over the training images.</summary>
    public int Epochs { get; init; } = Defaults.Epochs;

    /// <summary>Stop after this many steps (the poly schedule then decays over them); null: every step of every epoch.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Smallest random long side of the resize augmentation.</summary>
    public int MinLongSide { get; init; } = Defaults.MinLongSide;

    /// <summary>Largest random long side of the resize augmentation.</summary>
    public int MaxLongSide { get; init; } = Defaults.MaxLongSide;

    /// <summary>Side of the square random crop; a multiple of 32 (the CNTK graph's padding needs it).</summary>
    public int CropSize { get; init; } = Defaults.CropSize;

    /// <summary>Random horizontal flips.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Output stride of the network, 16 (the recipe) or 32.</summary>
    public int OutputStride { get; init; } = Defaults.OutputStride;

    /// <summary>
    /// The first of the four residual stages that is trained (1 to 4); the stem and the stages before it stay frozen
    /// (no gradient is computed through them). 1, the reference, trains every stage; 4 trains layer4 and the head only.
    /// </summary>
    public int FirstTrainedStage { get; init; } = Defaults.FirstTrainedStage;

    /// <summary>How the head starts: random (the reference) or a linear probe on the pretrained features.</summary>
    public FineTuningHeadStart HeadStart { get; init; } = Defaults.HeadStart;

    /// <summary>Seed of the head initialisation, the shuffling and the augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>TorchSharp device: "cpu", "cuda" or "auto".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Checks every option; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        static void Positive(double v, string name)
        {
            if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be a positive finite number.");
        }
        static void NonNegative(double v, string name)
        {
            if (!(v >= 0) || !double.IsFinite(v)) throw new ArgumentOutOfRangeException(name, v, $"{name} must be a non-negative finite number.");
        }
        NonNegative(BackboneLearningRate, nameof(BackboneLearningRate));
        Positive(HeadLearningRate, nameof(HeadLearningRate));
        NonNegative(PolyPower, nameof(PolyPower));
        NonNegative(WeightDecay, nameof(WeightDecay));
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (MaxSteps is < 1) throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "MaxSteps must be at least 1 when set.");
        if (MinLongSide < 32) throw new ArgumentOutOfRangeException(nameof(MinLongSide), MinLongSide, "MinLongSide must be at least 32.");
        if (MaxLongSide < MinLongSide)
            throw new ArgumentOutOfRangeException(nameof(MaxLongSide), MaxLongSide, $"MaxLongSide must be at least MinLongSide ({MinLongSide}).");
        if (CropSize < 32 || CropSize % 32 != 0)
            throw new ArgumentOutOfRangeException(nameof(CropSize), CropSize, "CropSize must be a positive multiple of 32.");
        if (OutputStride is not (16 or 32))
            throw new ArgumentOutOfRangeException(nameof(OutputStride), OutputStride, "OutputStride must be 16 or 32.");
        if (!Enum.IsDefined(HeadStart))
            throw new ArgumentOutOfRangeException(nameof(HeadStart), HeadStart, "HeadStart must be Random or LinearProbe.");
        if (FirstTrainedStage is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(FirstTrainedStage), FirstTrainedStage, "FirstTrainedStage must be 1, 2, 3 or 4.");
    }

    /// <summary>
    /// Every option that changes the result, as one line (the device does not: a checkpoint made on the CPU may be continued
    /// on CUDA); a checkpoint made with another description is not continued.
    /// </summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"lr={BackboneLearningRate:R} head_lr={HeadLearningRate:R} poly={PolyPower:R} wd={WeightDecay:R} batch={BatchSize} epochs={Epochs} " +
        $"max_steps={MaxSteps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all"} long_side={MinLongSide}..{MaxLongSide} crop={CropSize} " +
        $"flip={HorizontalFlip} stride={OutputStride} first_stage={FirstTrainedStage} head_start={HeadStart} seed={Seed}");
}

/// <summary>One optimisation step of <see cref="FineTuner"/>.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Step">Zero-based global step.</param>
/// <param name="TotalSteps">Steps of the whole run (the poly schedule's length).</param>
/// <param name="Loss">Multilabel soft margin loss of the step's (augmented) batch, before the update.</param>
/// <param name="BackboneLearningRate">The backbone learning rate used.</param>
/// <param name="HeadLearningRate">The head learning rate used.</param>
/// <param name="Seconds">Wall-clock seconds of the step (augmentation included).</param>
/// <param name="EndsEpoch">The step is the last of its epoch (or of the run).</param>
public sealed record FineTuningStep(int Epoch, int Step, int TotalSteps, double Loss, double BackboneLearningRate, double HeadLearningRate, double Seconds, bool EndsEpoch);
