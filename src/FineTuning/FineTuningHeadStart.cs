namespace LpCam.MLNet.FineTuning;

/// <summary>How <see cref="FineTuner.Train"/> initialises the classifier head before the first step.</summary>
public enum FineTuningHeadStart
{
    /// <summary>Uniform in ±1/sqrt(D) from the seed, as PyTorch initialises a 1x1 convolution (the paper's code).</summary>
    Random,

    /// <summary>
    /// A linear probe: a head trained on the pooled features of the pretrained network (each image resized so its long
    /// side is the crop size) before the network is trained. Fine-tuning from it (LP-FT, Kumar et al., ICLR 2022) sends the
    /// backbone smaller, better-aimed gradients in the first steps, so the features drift less from the pretrained ones.
    /// </summary>
    LinearProbe,
}
