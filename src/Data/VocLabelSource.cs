namespace LpCam.MLNet.Data;

/// <summary>Where <see cref="VocDataset"/> takes the image-level labels from.</summary>
public enum VocLabelSource
{
    /// <summary><c>Annotations/NAME.xml</c>: the classes of the <c>object</c> elements (the official VOC image labels).</summary>
    Annotations,

    /// <summary><c>labels.csv</c> in the root: <c>name,labels</c> with class names or 1-based ids (see <see cref="CsvDataset"/>).</summary>
    LabelsCsv,
}
