namespace LpCam.MLNet.Data;

/// <summary>Options of <see cref="VocDataset.Open"/>.</summary>
public sealed class VocReadOptions : DatasetReadOptions
{
    /// <summary>Where the labels come from; default <see cref="VocLabelSource.Annotations"/>.</summary>
    public VocLabelSource LabelSource { get; set; } = VocLabelSource.Annotations;

    /// <summary>
    /// Count objects flagged <c>difficult</c> in the XML as labels (default true). On voc-dev, including them makes the XML
    /// labels equal the classes present in the masks for 483 of 484 images; leaving them out breaks that for 34.
    /// </summary>
    public bool IncludeDifficult { get; set; } = true;

    /// <summary>
    /// The object classes (no background). Null (default): the names in <c>class_names.txt</c> in the root when that file
    /// exists (one a line, as <see cref="VocWriter"/> writes it), otherwise the 20 <see cref="VocClasses.Names"/>.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; set; }
}
