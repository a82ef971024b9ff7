namespace LpCam.MLNet.Backbones;

/// <summary>
/// Locates the pretrained models that ship in NuGet packages. <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> copies
/// its ONNX files into the application's output folder under <c>DnnImageModels/</c>.
/// </summary>
public static class PretrainedModels
{
    /// <summary>Relative path of the ImageNet ResNet-18 (CNTK export, opset 8) inside the output folder.</summary>
    public const string ResNet18RelativePath = "DnnImageModels/ResNet18Onnx/ResNet18.onnx";

    /// <summary>Full path of the pretrained ResNet-18 ONNX file next to the running application.</summary>
    /// <exception cref="FileNotFoundException">The package's model file is not in the output folder.</exception>
    public static string ResNet18OnnxPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, ResNet18RelativePath);
            if (!File.Exists(path))
                throw new FileNotFoundException(
                    $"The pretrained ResNet-18 ONNX was not found at '{path}'. Reference the NuGet package " +
                    "'Microsoft.ML.DnnImageFeaturizer.ResNet18' from the application project (its build props copy the model " +
                    "into the output folder), or pass the path of an ONNX backbone explicitly.", path);
            return path;
        }
    }
}
