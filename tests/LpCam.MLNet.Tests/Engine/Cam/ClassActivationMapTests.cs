using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Features;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.Cam;

public class ClassActivationMapTests
{
    private static Tensor Map(float[] values, params long[] shape) => tensor(values, shape);

    [Fact]
    public void Multi_scale_and_flip_match_a_hand_built_case()
    {
        // D = 1, C = 1, w = 1, so A = f.
        // Scale 1: f = [[1,-2],[3,0]], flipped image's f = [[0,2],[-1,5]].
        //   ReLU(f) = [[1,0],[3,0]]; ReLU(flipped) = [[0,2],[0,5]], un-flipped = [[2,0],[5,0]]; scale map = [[3,0],[8,0]].
        // Scale 2: f = [[2]] (1x1), no flip; bilinear resize to 2x2 = [[2,2],[2,2]].
        // Sum = [[5,2],[10,2]]; divided by max + 1e-5 = 10.00001.
        using var cam = ClassActivationMap.FromWeights(new float[] { 1 }, 1, 1);
        using var f1 = Map(new float[] { 1, -2, 3, 0 }, 1, 1, 2, 2);
        using var f1Flip = Map(new float[] { 0, 2, -1, 5 }, 1, 1, 2, 2);
        using var f2 = Map(new float[] { 2 }, 1, 1, 1, 1);
        using var maps = cam.Compute(new[] { new ScaleFeatures(f1, f1Flip), new ScaleFeatures(f2) }, 2, 2);

        Assert.Equal(new long[] { 1, 1, 2, 2 }, maps.shape);
        float d = 10.00001f;
        var expected = new[] { 5 / d, 2 / d, 10 / d, 2 / d };
        var actual = maps.data<float>().ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    [Fact]
    public void Resize_is_bilinear_with_align_corners_false()
    {
        // 1 x 2 -> 1 x 4: source x = (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped at the borders:
        // [a, 0.75a + 0.25b, 0.25a + 0.75b, b] = [0, 1, 3, 4] for a = 0, b = 4.
        using var m = Map(new float[] { 0, 4 }, 1, 1, 1, 2);
        using var r = ActivationMapMethod.ResizeBilinear(m, 1, 4);
        Assert.Equal(new float[] { 0, 1, 3, 4 }, r.data<float>().ToArray());
    }

    [Fact]
    public void Class_selection_and_two_dim_weights_score_each_class()
    {
        // W = [[1, 0], [0, 1], [1, 1]]: class 2 scores f0 + f1. Features at 1 position: (2, 3).
        using var cam = ClassActivationMap.FromWeights(new float[] { 1, 0, 0, 1, 1, 1 }, 3, 2);
        using var f = Map(new float[] { 2, 3 }, 1, 2, 1, 1);
        using var index = tensor(new long[] { 2, 0 });
        using var scores = cam.Scores(f, index);
        Assert.Equal(new float[] { 5, 2 }, scores.data<float>().ToArray());
        using var maps = cam.Compute(new[] { new ScaleFeatures(f) }, 1, 1, new[] { 2, 0 });
        Assert.Equal(new long[] { 1, 2, 1, 1 }, maps.shape);
    }

    [Fact]
    public void An_all_negative_score_gives_an_all_zero_map_not_nan()
    {
        using var cam = ClassActivationMap.FromWeights(new float[] { -1 }, 1, 1);
        using var f = Map(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        using var maps = cam.Compute(new[] { new ScaleFeatures(f) }, 4, 4);
        Assert.All(maps.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Each_map_is_normalised_by_its_own_maximum()
    {
        using var cam = ClassActivationMap.FromWeights(new float[] { 1, 2 }, 2, 1);
        using var f = Map(new float[] { 1, 3, 2, 4, 5, 6 }, 2, 1, 1, 3);
        using var maps = cam.Compute(new[] { new ScaleFeatures(f) }, 1, 3);
        using var max = maps.amax(new long[] { 2, 3 });
        Assert.All(max.data<float>().ToArray(), v => Assert.Equal(1f, v, 4));
    }

    [Fact]
    public void Nan_features_are_rejected_with_the_tensor_named()
    {
        using var cam = ClassActivationMap.FromWeights(new float[] { 1 }, 1, 1);
        using var f = Map(new float[] { 1, float.NaN, 3, 4 }, 1, 1, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => cam.Compute(new[] { new ScaleFeatures(f) }, 2, 2));
        Assert.Contains("features (scale 0)", e.Message);
        Assert.Contains("[1, 1, 2, 2]", e.Message);
    }

    [Fact]
    public void Channel_mismatch_names_the_shape_and_the_expected_width()
    {
        using var cam = ClassActivationMap.FromWeights(new float[] { 1, 2, 3 }, 1, 3);
        using var f = zeros(1, 2, 4, 4);
        var e = Assert.Throws<ArgumentException>(() => cam.Compute(new[] { new ScaleFeatures(f) }, 4, 4));
        Assert.Contains("[1, 2, 4, 4]", e.Message);
        Assert.Contains("3 channels", e.Message);
    }

    [Fact]
    public void Wrong_rank_and_bad_class_index_are_rejected()
    {
        using var f3 = zeros(1, 2, 4);
        var rank = Assert.Throws<ArgumentException>(() => new ScaleFeatures(f3));
        Assert.Contains("rank 4", rank.Message);

        using var cam = ClassActivationMap.FromWeights(new float[] { 1, 2 }, 2, 1);
        using var f = zeros(1, 1, 2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => cam.Compute(new[] { new ScaleFeatures(f) }, 2, 2, new[] { 2 }));
    }
}
