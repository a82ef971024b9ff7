using LpCam.MLNet.Engine.Cam;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Engine.LpCam;
using LpCam.MLNet.Engine.Prototypes;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.LpCam;

public class LocalPrototypeMapTests
{
    private static float[][] RandomCentres(Random rng, int count, int dim) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray()).ToArray();

    /// <summary>Random prototypes, not unit length (the map must normalise them), class 2 without context prototypes.</summary>
    private static PrototypeSet RandomSet(int seed, int classes = 4, int dim = 16)
    {
        var rng = new Random(seed);
        var list = new List<ClassPrototypes>();
        for (int c = 0; c < classes; c++)
        {
            int kf = 1 + rng.Next(5), kb = c == 2 ? 0 : 1 + rng.Next(5);
            list.Add(new ClassPrototypes(c, RandomCentres(rng, kf, dim), new float[kf], RandomCentres(rng, kb, dim), new float[kb]));
        }
        return new PrototypeSet(dim, list);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Folded_scores_equal_a_plain_loop_over_prototypes(bool foregroundOnly)
    {
        var set = RandomSet(7);
        manual_seed(3);
        using var features = randn(2, 16, 5, 6);
        using var map = new LocalPrototypeMap(set, foregroundOnly);
        using var all = tensor(new long[] { 0, 1, 2, 3 });
        using var folded = map.Scores(features, all);
        using var loop = LpCamReference.ScoresByPrototypeLoop(set, features, foregroundOnly);
        Assert.Equal(loop.shape, folded.shape);
        Assert.True(folded.sub(loop).abs().max().item<float>() < 1e-5f);
        using var matrix = LpCamReference.ScoresByPrototypeMatrix(set, features, foregroundOnly);
        Assert.True(matrix.sub(loop).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Multi_scale_flip_adds_the_unflipped_feature_map_before_the_cosine()
    {
        var set = RandomSet(11, classes: 3, dim: 8);
        manual_seed(5);
        using var f = randn(1, 8, 4, 4);
        using var flipped = randn(1, 8, 4, 4);
        using var small = randn(1, 8, 2, 2);
        using var map = new LocalPrototypeMap(set);
        using var maps = map.Compute(new[] { new ScaleFeatures(f, flipped), new ScaleFeatures(small) }, 4, 4);

        // By hand: scale 1 uses f + unflip(flipped); scale 2 resized; ReLU per scale; sum; divide by max + eps.
        using var s1 = nn.functional.relu(LpCamReference.ScoresByPrototypeLoop(set, f.add(flipped.flip(3)), false));
        using var s2 = ActivationMapMethod.ResizeBilinear(nn.functional.relu(LpCamReference.ScoresByPrototypeLoop(set, small, false)), 4, 4);
        using var sum = s1.add(s2);
        using var expected = sum.div(sum.amax(new long[] { 2, 3 }, keepdim: true).add(ActivationMapMethod.Epsilon));
        Assert.True(maps.sub(expected).abs().max().item<float>() < 1e-5f);
        Assert.True(maps.min().item<float>() >= 0 && maps.max().item<float>() <= 1);
    }

    [Fact]
    public void Identical_prototype_and_context_give_an_all_zero_map_not_nan()
    {
        var p = new[] { new float[] { 1, 0 } };
        var set = new PrototypeSet(2, new[] { new ClassPrototypes(0, p, new float[1], p, new float[1]) });
        using var map = new LocalPrototypeMap(set);
        using var f = randn(1, 2, 3, 3);
        using var maps = map.Compute(new[] { new ScaleFeatures(f) }, 3, 3);
        Assert.All(maps.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Hand_computed_two_dimensional_case()
    {
        // Class prototypes (1,0) and (0,1) -> mean unit = (0.5, 0.5); context (3,0) -> unit (1,0).
        // Effective row = (-0.5, 0.5). Feature (0, 2) -> unit (0,1) -> A = 0.5; LPCAM-F: 0.5. Feature (1,0): A = -0.5, F: 0.5.
        var set = new PrototypeSet(2, new[]
        {
            new ClassPrototypes(0, new[] { new float[] { 1, 0 }, new float[] { 0, 1 } }, new float[2], new[] { new float[] { 3, 0 } }, new float[1]),
        });
        using var f = tensor(new float[] { 0, 1, 2, 0 }, new long[] { 1, 2, 1, 2 });
        using var idx = tensor(new long[] { 0 });
        using var lp = new LocalPrototypeMap(set);
        using var lpf = new LocalPrototypeMap(set, foregroundOnly: true);
        using var a = lp.Scores(f, idx);
        using var af = lpf.Scores(f, idx);
        Assert.Equal(new[] { 0.5f, -0.5f }, a.data<float>().ToArray());
        Assert.Equal(new[] { 0.5f, 0.5f }, af.data<float>().ToArray());
    }

    [Fact]
    public void Zero_feature_vectors_score_zero()
    {
        var set = RandomSet(2, classes: 2, dim: 4);
        using var map = new LocalPrototypeMap(set);
        using var f = zeros(1, 4, 2, 2);
        using var idx = tensor(new long[] { 0, 1 });
        using var a = map.Scores(f, idx);
        Assert.All(a.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Nan_prototypes_are_rejected_with_the_class_named()
    {
        var bad = new[] { new float[] { 1, float.NaN } };
        var set = new PrototypeSet(2, new[] { new ClassPrototypes(0, bad, new float[1], Array.Empty<float[]>(), Array.Empty<float>()) });
        var e = Assert.Throws<ArgumentException>(() => new LocalPrototypeMap(set));
        Assert.Contains("class prototypes of class 0", e.Message);
    }
}
