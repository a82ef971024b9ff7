using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>The prototypes of every class, as fitted once over a training set; the learned state of LPCAM.</summary>
public sealed class PrototypeSet
{
    /// <summary>Creates a set; <paramref name="classes"/>[i] must be the prototypes of class i.</summary>
    /// <param name="featureDim">D, the backbone's channel count; every centre has this length.</param>
    /// <param name="classes">One entry per class, in class order.</param>
    public PrototypeSet(int featureDim, IReadOnlyList<ClassPrototypes> classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureDim, 1);
        ArgumentNullException.ThrowIfNull(classes);
        for (int i = 0; i < classes.Count; i++)
        {
            var c = classes[i];
            if (c.ClassIndex != i)
                throw new ArgumentException($"Entry {i} holds the prototypes of class {c.ClassIndex}; entries must be in class order.", nameof(classes));
            if (c.ClassCentres.Length == 0)
                throw new ArgumentException($"Class {i} has no class prototype; every class needs at least one.", nameof(classes));
            foreach (var centre in c.ClassCentres.Concat(c.ContextCentres))
                if (centre.Length != featureDim)
                    throw new ArgumentException($"Class {i} has a centre of length {centre.Length}; expected the feature dimension {featureDim}.", nameof(classes));
        }
        FeatureDim = featureDim;
        Classes = classes;
    }

    /// <summary>D, the length of every centre.</summary>
    public int FeatureDim { get; }

    /// <summary>Number of object classes.</summary>
    public int ClassCount => Classes.Count;

    /// <summary>The prototypes of each class, in class order.</summary>
    public IReadOnlyList<ClassPrototypes> Classes { get; }
}
