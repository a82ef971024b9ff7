namespace LpCam.MLNet.Engine.Classifier;

/// <summary>
/// Settings of <see cref="MultiLabelHeadTrainer"/>. Every property is checked when it is set (object initialiser or
/// <c>with</c> expression), so an invalid record cannot be built.
/// </summary>
public sealed record MultiLabelHeadOptions
{
    /// <summary>The default value of every setting, in one place.</summary>
    public static class Defaults
    {
        /// <summary>Adam: with a frozen backbone the head is a convex logistic regression and Adam reaches a good
        /// optimum in far fewer epochs than plain SGD across feature scales.</summary>
        public const HeadOptimizer Optimizer = HeadOptimizer.Adam;

        /// <summary>Passes over the training set; 50 x 8 steps of 64 rows converge on a few hundred images.</summary>
        public const int Epochs = 50;

        /// <summary>Rows per step.</summary>
        public const int BatchSize = 64;

        /// <summary>Initial step size (Adam); decays to 0 with <see cref="LearningRateDecayPower"/>.</summary>
        public const double LearningRate = 1e-2;

        /// <summary>
        /// L2 penalty on the weights, added to the gradient. On 484 voc-dev images with pretrained ResNet-18 pooled
        /// features (D = 512), 5-fold held-out mAP was 0.750 / 0.759 / 0.768 / 0.761 / 0.713 for 0 / 1e-3 / 1e-2 / 3e-2 / 1e-1.
        /// </summary>
        public const double WeightDecay = 1e-2;

        /// <summary>Polynomial decay power of the learning rate over all steps (0 keeps it constant); the reference uses 0.9.</summary>
        public const double LearningRateDecayPower = 0.9;

        /// <summary>Seed of the shuffling.</summary>
        public const int Seed = 0;
    }

    private readonly int _epochs = Defaults.Epochs;
    private readonly int _batchSize = Defaults.BatchSize;
    private readonly double _learningRate = Defaults.LearningRate;
    private readonly double _weightDecay = Defaults.WeightDecay;
    private readonly double _decayPower = Defaults.LearningRateDecayPower;
    private readonly HeadOptimizer _optimizer = Defaults.Optimizer;

    /// <summary>The optimiser; <see cref="Defaults.Optimizer"/> by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="HeadOptimizer"/> value.</exception>
    public HeadOptimizer Optimizer
    {
        get => _optimizer;
        init => _optimizer = Enum.IsDefined(value) ? value
            : throw Invalid(nameof(Optimizer), value, $"one of {string.Join(", ", Enum.GetNames<HeadOptimizer>())}");
    }

    /// <summary>Passes over the training set; at least 1. <see cref="Defaults.Epochs"/> by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int Epochs
    {
        get => _epochs;
        init => _epochs = value >= 1 ? value : throw Invalid(nameof(Epochs), value, "an integer >= 1");
    }

    /// <summary>Rows per optimiser step; at least 1 (a value above the row count means full batch). <see cref="Defaults.BatchSize"/> by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value >= 1 ? value : throw Invalid(nameof(BatchSize), value, "an integer >= 1");
    }

    /// <summary>Initial learning rate; finite and &gt; 0. <see cref="Defaults.LearningRate"/> by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not finite or not positive.</exception>
    public double LearningRate
    {
        get => _learningRate;
        init => _learningRate = double.IsFinite(value) && value > 0 ? value : throw Invalid(nameof(LearningRate), value, "a finite number > 0");
    }

    /// <summary>L2 weight decay; finite and &gt;= 0. <see cref="Defaults.WeightDecay"/> by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not finite or negative.</exception>
    public double WeightDecay
    {
        get => _weightDecay;
        init => _weightDecay = double.IsFinite(value) && value >= 0 ? value : throw Invalid(nameof(WeightDecay), value, "a finite number >= 0");
    }

    /// <summary>
    /// Power p of the polynomial decay lr_t = lr (1 - t / T)^p over the T steps of training; 0 keeps the rate constant.
    /// Finite and &gt;= 0. <see cref="Defaults.LearningRateDecayPower"/> by default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not finite or negative.</exception>
    public double LearningRateDecayPower
    {
        get => _decayPower;
        init => _decayPower = double.IsFinite(value) && value >= 0 ? value : throw Invalid(nameof(LearningRateDecayPower), value, "a finite number >= 0");
    }

    /// <summary>Seed of the per-epoch shuffling (System.Random) and of the cross-validation folds (the head starts at zero). <see cref="Defaults.Seed"/> by default.</summary>
    public int Seed { get; init; } = Defaults.Seed;

    private static ArgumentOutOfRangeException Invalid(string name, object value, string expected) =>
        new(name, value, $"{nameof(MultiLabelHeadOptions)}.{name} was {value}; expected {expected}.");
}
