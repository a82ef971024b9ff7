namespace LpCam.MLNet.Estimators;

/// <summary>Which classes a seed mask is made for: the maps of the other classes are ignored.</summary>
public enum SeedClasses
{
    /// <summary>The image's labels (multi-hot, above 0.5): the WSSS protocol for training images.</summary>
    Labels,

    /// <summary>The classes whose score is above the score threshold: for images without labels.</summary>
    Predicted,

    /// <summary>
    /// The labels when the row has at least one, else the predicted classes: one fitted pipeline makes seeds for labelled
    /// training images and for new images whose label vector is all zero.
    /// </summary>
    LabelsOrPredicted,
}
