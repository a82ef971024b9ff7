using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;

namespace LpCam.MLNet.Tests.Backbones;

/// <summary>Running the rewritten ResNet-18 on real VOC images: any size, batches, stride 16.</summary>
[Collection(ResNet18Collection.Name)]
public class OnnxBackboneTests(ResNet18Fixture backbones, ITestOutputHelper output)
{
    private static RgbImage Voc(int index) => RgbImage.Load(VocDev.Jpeg(VocDev.Names(index + 1)[index]));

    [Fact]
    public void Any_size_gives_512_channels_cropped_to_ceil_of_size_over_stride()
    {
        var image = Voc(0); // 366 x 500: neither side a multiple of 32
        Assert.True(image.Height % 32 != 0 && image.Width % 32 != 0);
        float[] map = backbones.Os32.Extract(image, out int h, out int w);
        Assert.Equal((image.Height + 31) / 32, h);
        Assert.Equal((image.Width + 31) / 32, w);
        Assert.Equal(backbones.Os32.FeatureSize(image.Height, image.Width), (h, w));
        Assert.Equal(512 * h * w, map.Length);
        MapAssert.AllFinite(map);
        Assert.True(map.Count(v => v > 0) > map.Length / 20, "a real image activates the map");

        var odd = image.Resize(333, 77);
        float[] small = backbones.Os32.Extract(odd, out h, out w);
        Assert.Equal((11, 3), (h, w));
        MapAssert.AllFinite(small);
    }

    [Fact]
    public void Stride16_equals_stride32_at_even_positions_with_twice_the_resolution()
    {
        var image = Voc(1);
        float[] coarse = backbones.Os32.Extract(image, out int h32, out int w32);
        float[] fine = backbones.Os16.Extract(image, out int h16, out int w16);
        Assert.Equal((image.Height + 15) / 16, h16);
        Assert.Equal((image.Width + 15) / 16, w16);
        Assert.InRange(h16, 2 * h32 - 1, 2 * h32);
        Assert.InRange(w16, 2 * w32 - 1, 2 * w32);
        float max = 0;
        for (int c = 0; c < 512; c++)
            for (int y = 0; y < h32; y++)
                for (int x = 0; x < w32; x++)
                    max = Math.Max(max, Math.Abs(coarse[(c * h32 + y) * w32 + x] - fine[(c * h16 + 2 * y) * w16 + 2 * x]));
        output.WriteLine($"{image.Height}x{image.Width}: stride 32 map {h32}x{w32}, stride 16 map {h16}x{w16}, max diff at even positions {max:E2}");
        Assert.True(max <= 1e-4f, $"stride 16 at even positions differs from stride 32 by {max}");
    }

    [Fact]
    public void Batch_of_four_equals_four_single_runs()
    {
        var images = Enumerable.Range(0, 4).Select(i => Voc(i).Resize(320, 320)).ToList();
        var batch = backbones.Os32.ExtractBatch(images, out int h, out int w);
        Assert.Equal((10, 10), (h, w));
        Assert.Equal(4, batch.Count);
        for (int i = 0; i < 4; i++)
        {
            float[] single = backbones.Os32.Extract(images[i], out int hs, out int ws);
            Assert.Equal((h, w), (hs, ws));
            float diff = MapAssert.MaxAbsDiff(single, batch[i]);
            output.WriteLine($"image {i}: max |batch - single| = {diff:E2}");
            Assert.True(diff <= 1e-4f, $"image {i}: batch and single run differ by {diff}");
        }
    }

    [Fact]
    public void Batch_of_different_sizes_is_rejected()
    {
        var a = Voc(0).Resize(224, 224);
        var b = Voc(1).Resize(224, 256);
        var ex = Assert.Throws<ArgumentException>(() => backbones.Os32.ExtractBatch([a, b], out _, out _));
        Assert.Equal("sameSizeImages", ex.ParamName);
        Assert.Contains("224x256", ex.Message);
        Assert.Throws<ArgumentException>(() => backbones.Os32.ExtractBatch([], out _, out _));
    }

    [Fact]
    public void ExtractTensor_returns_batch_channels_height_width()
    {
        var images = new[] { Voc(0).Resize(224, 288), Voc(1).Resize(224, 288) };
        using var scope = torch.NewDisposeScope();
        var tensor = backbones.Os32.ExtractTensor(images);
        Assert.Equal(new long[] { 2, 512, 7, 9 }, tensor.shape);
        float[] single = backbones.Os32.Extract(images[1], out _, out _);
        Assert.True(MapAssert.MaxAbsDiff(single, tensor[1].data<float>().ToArray()) <= 1e-4f);
    }

    [Fact]
    public void Gpu_request_runs_on_cuda_or_falls_back_to_cpu_and_says_which()
    {
        var lines = new List<string>();
        using var backbone = Backbone.ResNet18(32, gpuDeviceId: 0, log: lines.Add);
        Assert.Contains(backbone.ExecutionProvider, new[] { "CPU", "CUDA:0" });
        Assert.Contains(lines, l => l.Contains(backbone.ExecutionProvider == "CPU" ? "CPU" : "CUDA"));
        float[] map = backbone.Extract(Voc(0).Resize(224, 224), out int h, out int w);
        Assert.Equal(512 * 7 * 7, map.Length);
        Assert.Equal((7, 7), (h, w));
    }

    [Fact]
    public void Disposed_backbone_refuses_to_run()
    {
        var backbone = new OnnxBackbone(backbones.Os32.Model);
        backbone.Dispose();
        backbone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => backbone.Extract(Voc(0), out _, out _));
    }
}
