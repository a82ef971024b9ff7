namespace LpCam.MLNet.Engine.Classifier;

/// <summary>The optimiser <see cref="MultiLabelHeadTrainer"/> uses.</summary>
public enum HeadOptimizer
{
    /// <summary>Adam (beta1 0.9, beta2 0.999) with L2 weight decay added to the gradient; the default.</summary>
    Adam,

    /// <summary>Plain SGD without momentum, the reference's classifier optimiser (paper code, section 6 of the algorithm notes).</summary>
    Sgd,
}
