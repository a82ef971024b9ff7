using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LpCam.MLNet.Tests.Smoke;

/// <summary>Proves ONNX Runtime runs the pretrained ResNet-18 of the NuGet package on a real VOC image.</summary>
public class OnnxRuntimeSmokeTests
{
    [Fact]
    public void Pretrained_resnet18_gives_a_finite_512_vector_for_a_real_image()
    {
        var image = RgbImage.Load(VocDev.Jpeg(VocDev.Names(1)[0])).Resize(224, 224);
        var input = new DenseTensor<float>(image.Pixels, new[] { 1, 3, 224, 224 });
        using var session = new InferenceSession(PretrainedModels.ResNet18OnnxPath);
        Assert.Equal("Input247", session.InputMetadata.Keys.Single());
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Input247", input) });
        var output = results.Single().AsTensor<float>();
        Assert.Equal(new[] { 1, 512, 1, 1 }, output.Dimensions.ToArray());
        var values = output.ToArray();
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
        // After a ReLU and average pooling every value is >= 0, and a real image activates some channels.
        Assert.All(values, v => Assert.True(v >= 0));
        Assert.True(values.Count(v => v > 0) > 100, "expected more than 100 active channels on a real image");
    }
}
