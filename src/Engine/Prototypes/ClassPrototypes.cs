using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// The prototypes of one class (paper Eqs. 2-4): class prototypes (centres of the foreground features that the classifier
/// scores as the class) and context prototypes (centres of the class's context features that it does not).
/// </summary>
/// <remarks>Centres are stored unit-length: LPCAM only takes cosines with them (Eqs. 5-6).</remarks>
public sealed class ClassPrototypes
{
    /// <summary>Creates the prototypes of class <paramref name="classIndex"/>.</summary>
    /// <param name="classIndex">Zero-based index of the object class (background is not a class here).</param>
    /// <param name="classCentres">k_f unit-length centres of D values each; at least one.</param>
    /// <param name="classScores">The classifier's softmax score z_n of each class centre.</param>
    /// <param name="contextCentres">k_b unit-length centres of D values each; may be empty.</param>
    /// <param name="contextScores">The classifier's softmax score z_n of each context centre.</param>
    public ClassPrototypes(int classIndex, float[][] classCentres, float[] classScores, float[][] contextCentres, float[] contextScores)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
        ArgumentNullException.ThrowIfNull(classCentres);
        ArgumentNullException.ThrowIfNull(classScores);
        ArgumentNullException.ThrowIfNull(contextCentres);
        ArgumentNullException.ThrowIfNull(contextScores);
        if (classCentres.Length != classScores.Length)
            throw new ArgumentException($"Class {classIndex}: {classCentres.Length} class centres but {classScores.Length} scores.", nameof(classScores));
        if (contextCentres.Length != contextScores.Length)
            throw new ArgumentException($"Class {classIndex}: {contextCentres.Length} context centres but {contextScores.Length} scores.", nameof(contextScores));
        ClassIndex = classIndex;
        ClassCentres = classCentres;
        ClassScores = classScores;
        ContextCentres = contextCentres;
        ContextScores = contextScores;
    }

    /// <summary>Zero-based index of the object class.</summary>
    public int ClassIndex { get; }

    /// <summary>Unit-length class prototypes P (k_f x D).</summary>
    public float[][] ClassCentres { get; }

    /// <summary>Softmax score z_n of each class prototype.</summary>
    public float[] ClassScores { get; }

    /// <summary>Unit-length context prototypes Q (k_b x D); empty when the class has none.</summary>
    public float[][] ContextCentres { get; }

    /// <summary>Softmax score z_n of each context prototype.</summary>
    public float[] ContextScores { get; }
}
