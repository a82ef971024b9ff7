namespace LpCam.MLNet.Backbones;

/// <summary>
/// Locates the pretrained models that ship in NuGet packages. <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> copies
/// its ONNX files into the application's output folder under <c>DnnImageModels/</c>.
/// </summary>
public static class PretrainedModels
{
    /// <summary>Relative path of the ImageNet ResNet-18 (CNTK export, opset 8) inside the output folder.</summary>
    public const string ResNet18RelativePath = "DnnImageModels/ResNet18Onnx/ResNet18.onnx";

    /// <summary>Relative path of the ResNet preprocessing graph (RGB to BGR minus a mean image) inside the output folder.</summary>
    public const string ResNetPreprocessRelativePath = "DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>Full path of the pretrained ResNet-18 ONNX file next to the running application.</summary>
    /// <exception cref="FileNotFoundException">The package's model file is not in the output folder.</exception>
    public static string ResNet18OnnxPath => Locate(ResNet18RelativePath);

    /// <summary>Full path of the package's ResNet preprocessing ONNX file next to the running application.</summary>
    /// <exception cref="FileNotFoundException">The package's model file is not in the output folder.</exception>
    public static string ResNetPreprocessOnnxPath => Locate(ResNetPreprocessRelativePath);

    private static string Locate(string relativePath)
    {
        string path = Path.Combine(AppContext.BaseDirectory, relativePath);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"The pretrained model file was not found at '{path}'. Reference the NuGet package " +
                "'Microsoft.ML.DnnImageFeaturizer.ResNet18' from the application project (its build props copy the model " +
                "into the output folder), or pass the path of an ONNX backbone explicitly.", path);
        return path;
    }
}
