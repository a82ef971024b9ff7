using LpCam.MLNet.Engine.Classifier;
namespace LpCam.MLNet.Backbones;

/// <summary>
/// A feature-extraction ONNX model held in memory, with what is needed to run it or embed it elsewhere (for example in
/// ML.NET's <c>ApplyOnnxModel</c>): input and output names, channels, stride, pixel normalisation and padding rule.
/// </summary>
/// <remarks>
/// The graph ends at the feature tensor, which is its only output and carries a 4-D shape in its ValueInfo
/// ([batch, D, feature_height, feature_width]; only D is fixed), as ML.NET requires. The input is 4-D
/// [batch, 3, height, width]. Images are padded bottom/right with <see cref="PadPixelRgb"/> to a multiple of
/// <see cref="PadMultiple"/> before <see cref="Normalization"/> is applied; the map is then cropped to
/// ceil(H / <see cref="Stride"/>) x ceil(W / <see cref="Stride"/>).
/// </remarks>
public sealed class BackboneOnnxModel
{
    internal BackboneOnnxModel(
        string name, byte[] bytes, string inputName, string outputName, int featureDim, int stride, int padMultiple,
        PixelNormalization normalization, IReadOnlyList<float> padPixelRgb, ClassifierHead? head)
    {
        Name = name;
        BytesArray = bytes;
        InputName = inputName;
        OutputName = outputName;
        FeatureDim = featureDim;
        Stride = stride;
        PadMultiple = padMultiple;
        Normalization = normalization;
        PadPixelRgb = padPixelRgb.ToArray();
        Head = head;
    }

    internal byte[] BytesArray { get; }

    /// <summary>A short name, e.g. <c>resnet18-os32</c>.</summary>
    public string Name { get; }

    /// <summary>The serialised ONNX model.</summary>
    public ReadOnlyMemory<byte> Bytes => BytesArray;

    /// <summary>Name of the 4-D image input [batch, 3, height, width].</summary>
    public string InputName { get; }

    /// <summary>Name of the 4-D feature output [batch, D, h, w], the graph's only output.</summary>
    public string OutputName { get; }

    /// <summary>Channels D of the feature map.</summary>
    public int FeatureDim { get; }

    /// <summary>Output stride.</summary>
    public int Stride { get; }

    /// <summary>Images are padded bottom/right to a multiple of this many pixels (1: no padding).</summary>
    public int PadMultiple { get; }

    /// <summary>Normalisation applied to RGB 0..255 pixels before they enter the graph (identity when the graph does it).</summary>
    public PixelNormalization Normalization { get; }

    /// <summary>The RGB pixel (0..255, before <see cref="Normalization"/>) used for padding: it maps to zero after normalisation.</summary>
    public IReadOnlyList<float> PadPixelRgb { get; }

    /// <summary>Classifier weights read from the model, when asked for.</summary>
    public ClassifierHead? Head { get; }

    /// <summary>Writes the model to an ONNX file atomically (never into the package folder of the pretrained model).</summary>
    public void Save(string path) => Engine.Interop.AtomicFile.WriteAllBytes(path, BytesArray);
}
