using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.Backbones;

/// <summary>The rewritten model's bytes run unchanged in ML.NET's own OnnxTransformer (ApplyOnnxModel).</summary>
[Collection(ResNet18Collection.Name)]
public class MLNetEmbeddingTests(ResNet18Fixture backbones)
{
    private const int Side = 224;

    private sealed class PixelsRow
    {
        [ColumnName(ResNet18Rewriter.InputName)]
        [VectorType(3 * Side * Side)]
        public float[] Pixels { get; set; } = [];
    }

    private sealed class FeaturesRow
    {
        [ColumnName(ResNet18Rewriter.OutputName)]
        public float[] Features { get; set; } = [];
    }

    [Fact]
    public void ApplyOnnxModel_on_the_rewritten_bytes_gives_the_backbone_map()
    {
        var image = RgbImage.Load(VocDev.Jpeg(VocDev.Names(1)[0])).Resize(Side, Side);
        float[] expected = backbones.Os32.Extract(image, out _, out _);

        string path = Path.Combine(Path.GetTempPath(), $"lpcam-resnet18-{Environment.ProcessId}.onnx");
        backbones.Os32.Model.Save(path);
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable([new PixelsRow { Pixels = image.Pixels }]);
            using var transformer = ml.Transforms.ApplyOnnxModel(
                    [ResNet18Rewriter.OutputName], [ResNet18Rewriter.InputName], path,
                    shapeDictionary: new Dictionary<string, int[]> { [ResNet18Rewriter.InputName] = [1, 3, Side, Side] },
                    gpuDeviceId: null, fallbackToCpu: false)
                .Fit(data);
            var row = ml.Data.CreateEnumerable<FeaturesRow>(transformer.Transform(data), reuseRowObject: false).Single();
            Assert.Equal(512 * 7 * 7, row.Features.Length);
            Assert.True(MapAssert.MaxAbsDiff(expected, row.Features) <= 1e-4f);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
