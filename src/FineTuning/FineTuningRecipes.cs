namespace LpCam.MLNet.FineTuning;

/// <summary>
/// Named fine-tuning recipes: <see cref="Reference"/>, the classifier recipe of the paper's code (algorithm doc, section 6),
/// and <see cref="Cpu"/>, a gentler and smaller one that fits a 2-core CPU and keeps the features LPCAM clusters.
/// </summary>
/// <remarks>
/// Measured on the 484 voc-dev images (docs/results.md, "Fine-tuning"): the reference recipe's learning rate (0.1) makes
/// the features more discriminative, which lifts CAM and lowers LPCAM; at 0.01 for three epochs both rise a little.
/// </remarks>
public static class FineTuningRecipes
{
    /// <summary>Names accepted by <see cref="ByName"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "reference"];

    /// <summary>The reference recipe: every default of <see cref="FineTuningOptions"/> (5 epochs, crop 512, long side
    /// 320..640, learning rate 0.1 / head 1.0, output stride 16, every stage trained).</summary>
    public static FineTuningOptions Reference => new();

    /// <summary>
    /// The CPU recipe: output stride 16 (layer4 dilated), every stage trained at learning rate 0.01 (head 1.0), poly decay,
    /// 3 epochs of batch 16, crop 448, long side 320..512 (about 15 minutes for 484 images on 2 cores).
    /// </summary>
    public static FineTuningOptions Cpu => new()
    {
        Epochs = 3,
        CropSize = 448,
        MinLongSide = 320,
        MaxLongSide = 512,
        BackboneLearningRate = 0.01,
        HeadLearningRate = 1.0,
        OutputStride = 16,
        FirstTrainedStage = 1,
    };

    /// <summary>The recipe called <paramref name="name"/> ("cpu" or "reference").</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static FineTuningOptions ByName(string name) => name switch
    {
        "cpu" => Cpu,
        "reference" => Reference,
        _ => throw new ArgumentException($"Unknown fine-tuning recipe '{name}'; expected {string.Join(" or ", Names)}.", nameof(name)),
    };
}
