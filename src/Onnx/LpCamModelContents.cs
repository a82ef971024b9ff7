using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Prototypes;
using LpCam.MLNet.Estimators;

namespace LpCam.MLNet.Onnx;

/// <summary>What a saved LpCam.MLNet model holds, read back by <see cref="LpCamModelInfo.ReadContents"/>.</summary>
public sealed record LpCamModelContents
{
    /// <summary>The LpCam.MLNet components of the pipeline, in order (CamFeaturizer, LocalPrototypes, SeedMask).</summary>
    public required IReadOnlyList<string> Components { get; init; }

    /// <summary>The format version every component was written in.</summary>
    public required string FormatVersion { get; init; }

    /// <summary>Class names, one per label slot; null without a CamFeaturizer or LocalPrototypes component.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>CamFeaturizer's backbone name.</summary>
    public string? Backbone { get; init; }

    /// <summary>CamFeaturizer's scales and flip.</summary>
    public FeatureColumnLayout? Layout { get; init; }

    /// <summary>CamFeaturizer's head W [C, D].</summary>
    public ClassifierHead? Head { get; init; }

    /// <summary>LocalPrototypes' class and context prototypes.</summary>
    public PrototypeSet? Prototypes { get; init; }

    /// <summary>K.</summary>
    public int? Clusters { get; init; }

    /// <summary>tau.</summary>
    public double? Tau { get; init; }

    /// <summary>mu_f.</summary>
    public double? ClassThreshold { get; init; }

    /// <summary>mu_b.</summary>
    public double? ContextThreshold { get; init; }

    /// <summary>The background threshold of each SeedMask component, in pipeline order.</summary>
    public required IReadOnlyList<double> SeedThresholds { get; init; }
}
