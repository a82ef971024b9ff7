using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>Settings of <see cref="PrototypeSelector"/> (paper Eqs. 3-4); checked when the selector is constructed.</summary>
public sealed record PrototypeSelectionOptions
{
    /// <summary>Default mu_f: 0.9 (paper, VOC and COCO).</summary>
    public const double DefaultClassThreshold = 0.9;

    /// <summary>Default mu_b: 0.9 (paper, VOC; COCO: 0.5).</summary>
    public const double DefaultContextThreshold = 0.9;

    /// <summary>Default lower bound on a context prototype's score: 0.05 (the reference on VOC; COCO: 0).</summary>
    public const double DefaultContextLowerBound = 0.05;

    /// <summary>mu_f: a foreground centre becomes a class prototype when its score z_n exceeds it. In [0, 1].</summary>
    public double ClassThreshold { get; init; } = DefaultClassThreshold;

    /// <summary>mu_b: a context centre becomes a context prototype when its score z_n is below it. In [0, 1].</summary>
    public double ContextThreshold { get; init; } = DefaultContextThreshold;

    /// <summary>A context centre must also score above this; 0 disables the bound. In [0, <see cref="ContextThreshold"/>].</summary>
    public double ContextLowerBound { get; init; } = DefaultContextLowerBound;

    /// <summary>False: keep every foreground centre as a class prototype and every context centre as a context prototype
    /// (the "no selection" ablation). Scores are still computed and reported.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    internal void Validate()
    {
        if (!(ClassThreshold >= 0 && ClassThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(ClassThreshold), ClassThreshold, $"ClassThreshold (mu_f) was {ClassThreshold}; expected a value in [0, 1].");
        if (!(ContextThreshold >= 0 && ContextThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(ContextThreshold), ContextThreshold, $"ContextThreshold (mu_b) was {ContextThreshold}; expected a value in [0, 1].");
        if (!(ContextLowerBound >= 0 && ContextLowerBound <= ContextThreshold))
            throw new ArgumentOutOfRangeException(nameof(ContextLowerBound), ContextLowerBound, $"ContextLowerBound was {ContextLowerBound}; expected a value in [0, ContextThreshold = {ContextThreshold}] (0 disables it).");
    }
}
