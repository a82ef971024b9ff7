using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Images;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.Features;

public class MultiScaleFeaturesTests
{
    /// <summary>A stand-in backbone: the planar pixels themselves are the feature map (D = 3, stride 1).</summary>
    private static Tensor PixelsAsFeatures(IReadOnlyList<RgbImage> batch) =>
        stack(batch.Select(i => tensor(i.Pixels, new long[] { 3, i.Height, i.Width })).ToArray());

    private static RgbImage Gradient(int h, int w)
    {
        var p = new float[3 * h * w];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) p[(c * h + y) * w + x] = c == 0 ? 10 * x : c == 1 ? 10 * y : 100;
        return new RgbImage(h, w, p);
    }

    [Fact]
    public void Each_scale_runs_at_the_rounded_size_and_the_flip_is_the_mirror_image()
    {
        var image = Gradient(6, 10);
        using var features = MultiScaleFeatures.Extract(image, new InferenceScales(new[] { 1.0, 0.5, 1.5 }), PixelsAsFeatures);
        Assert.Equal(3, features.Scales.Count);
        Assert.Equal(new long[] { 1, 3, 6, 10 }, features.Scales[0].Features.shape);
        Assert.Equal(new long[] { 1, 3, 3, 5 }, features.Scales[1].Features.shape);
        Assert.Equal(new long[] { 1, 3, 9, 15 }, features.Scales[2].Features.shape);
        // The flipped features, un-flipped, are the image's own features at scale 1.
        using var unflipped = features.Scales[0].FlippedFeatures!.flip(3);
        Assert.True(unflipped.sub(features.Scales[0].Features).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void Cam_of_a_symmetric_setup_is_flip_equivariant()
    {
        // With flip on, CAM(image) mirrored equals CAM(mirrored image): the flip-averaging makes the maps symmetric in that sense.
        var image = Gradient(8, 8);
        using var cam = ClassActivationMap.FromWeights(new float[] { 1, -0.5f, 0.01f }, 1, 3);
        using var a = MultiScaleFeatures.Extract(image, InferenceScales.Reference, PixelsAsFeatures);
        using var b = MultiScaleFeatures.Extract(image.FlipHorizontal(), InferenceScales.Reference, PixelsAsFeatures);
        using var ma = cam.Compute(a.Scales, 8, 8);
        using var mb = cam.Compute(b.Scales, 8, 8);
        Assert.True(ma.flip(3).sub(mb).abs().max().item<float>() < 1e-4f);
        Assert.True(ma.max().item<float>() > 0.99f);
    }

    [Theory]
    [InlineData("1.0,0.5,1.5,2.0", 4)]
    [InlineData("1", 1)]
    public void Scales_parse(string text, int count) => Assert.Equal(count, InferenceScales.Parse(text).Scales.Count);

    [Fact]
    public void Bad_scales_are_rejected_with_the_value()
    {
        Assert.Contains("x", Assert.Throws<FormatException>(() => InferenceScales.Parse("1,x")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new InferenceScales(new[] { 1.0, -2.0 }));
        Assert.Equal((3, 4), InferenceScales.Stride4Size(9, 13));
    }
}
