namespace LpCam.MLNet.Engine.Classifier;

/// <summary>What <see cref="MultiLabelHeadTrainer.Train(IReadOnlyList{float[]}, IReadOnlyList{float[]}, IReadOnlyList{float[]}?, IReadOnlyList{float[]}?)"/> returns.</summary>
/// <param name="Head">The trained bias-free head.</param>
/// <param name="EpochLosses">Mean training loss of each epoch (multilabel soft margin, averaged over the epoch's rows as the steps saw them).</param>
/// <param name="Validation">Per-class AP and mAP on the validation rows, or null when none were given.</param>
public sealed record HeadTrainingResult(ClassifierHead Head, float[] EpochLosses, AveragePrecisionReport? Validation);

/// <summary>What <see cref="MultiLabelHeadTrainer.CrossValidate(IReadOnlyList{float[]}, IReadOnlyList{float[]}, int)"/> returns.</summary>
/// <param name="Folds">The held-out AP report of every fold, in fold order.</param>
/// <param name="MeanMap">Mean of the folds' mAP.</param>
public sealed record CrossValidationResult(IReadOnlyList<AveragePrecisionReport> Folds, double MeanMap);
