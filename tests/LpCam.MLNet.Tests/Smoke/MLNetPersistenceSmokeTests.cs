using LpCam.MLNet.Backbones;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.Smoke;

/// <summary>Proves an ML.NET pipeline with ImageAnalytics and OnnxTransformer saves to a zip and loads back.</summary>
public class MLNetPersistenceSmokeTests
{
    private sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    [Fact]
    public void Image_and_onnx_pipeline_round_trips_through_a_zip()
    {
        var rows = VocDev.Names(3).Select(n => new ImageRow { ImagePath = VocDev.Jpeg(n) }).ToList();
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(ImageRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", 224, 224))
            .Append(ml.Transforms.ExtractPixels("Input247", "Image", interleavePixelColors: false))
            .Append(ml.Transforms.ApplyOnnxModel("Pooling395_Output_0", "Input247", PretrainedModels.ResNet18OnnxPath));
        var model = pipeline.Fit(data);
        var before = Features(model.Transform(data));

        string zip = Path.Combine(Path.GetTempPath(), $"lpcam-smoke-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, zip);
            var fresh = new MLContext(seed: 2);
            var loaded = fresh.Model.Load(zip, out var inputSchema);
            Assert.NotNull(inputSchema.GetColumnOrNull(nameof(ImageRow.ImagePath)));
            var after = Features(loaded.Transform(fresh.Data.LoadFromEnumerable(rows)));

            Assert.Equal(3, before.Count);
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.Equal(512, before[i].Length);
                Assert.Contains(before[i], v => v > 0);
                Assert.Equal(before[i], after[i]);
            }
            Assert.NotEqual(before[0], before[1]);
        }
        finally
        {
            File.Delete(zip);
        }
    }

    private static List<float[]> Features(IDataView view) =>
        view.GetColumn<VBuffer<float>>("Pooling395_Output_0").Select(v => v.DenseValues().ToArray()).ToList();
}
