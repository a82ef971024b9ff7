using LpCam.MLNet.Engine.Prototypes;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Engine.Prototypes;

public class PrototypeSampleAccumulatorTests
{
    /// <summary>[3, 2, 2] map: the feature at position p = 2y + x is (p, 10 + p, 20 + p).</summary>
    private static Tensor HandFeatures() => tensor(new float[]
    {
        0, 1, 2, 3,
        10, 11, 12, 13,
        20, 21, 22, 23,
    }, new long[] { 3, 2, 2 });

    [Fact]
    public void Splits_positions_into_foreground_and_context_after_a_nearest_resize()
    {
        // CAMs at 4 x 4; nearest resize to 2 x 2 reads rows/columns 0 and 2. Every cell it must not read holds the
        // opposite answer, so a bilinear or off-by-one resize changes the result.
        float[] a =
        [
            0.9f, 0.0f, 0.05f, 1.0f,
            0.0f, 0.0f, 1.0f, 1.0f,
            0.1f, 1.0f, 0.5f, 0.0f,
            1.0f, 1.0f, 0.0f, 0.0f,
        ];
        // Class 3 at positions (0,0) (0,1) (1,0) (1,1) reads 0.9, 0.05, 0.1 (= tau: neither set), 0.5.
        float[] b =
        [
            0.0f, 1.0f, 1.0f, 0.0f,
            1.0f, 1.0f, 0.0f, 0.0f,
            1.0f, 0.0f, 0.0f, 1.0f,
            0.0f, 0.0f, 1.0f, 1.0f,
        ];
        // Class 1 reads 0.0, 1.0, 1.0, 0.0.
        using var features = HandFeatures();
        using var cams = tensor(a.Concat(b).ToArray(), new long[] { 2, 4, 4 });
        var acc = new PrototypeSampleAccumulator(classCount: 4, tau: 0.1f, sampleCap: 100, seed: 0);

        acc.Add(features, cams, [3, 1]);

        Assert.Equal(new float[] { 0, 10, 20, 3, 13, 23 }, acc.Foreground(3)!.ToArray());
        Assert.Equal(new float[] { 1, 11, 21 }, acc.Context(3)!.ToArray());
        Assert.Equal(new float[] { 1, 11, 21, 2, 12, 22 }, acc.Foreground(1)!.ToArray());
        Assert.Equal(new float[] { 0, 10, 20, 3, 13, 23 }, acc.Context(1)!.ToArray());
        Assert.Null(acc.Foreground(0));
        Assert.Equal(1, acc.ImagesOfClass(3));
        Assert.Equal(0, acc.ImagesOfClass(2));
        Assert.Equal(1, acc.ImageCount);
        Assert.Equal(3, acc.FeatureDim);
    }

    [Fact]
    public void Upsamples_a_coarse_cam_by_nearest_neighbour()
    {
        // A 1 x 2 CAM over a 2 x 2 map: the left column takes 0.8, the right column 0.
        using var features = HandFeatures();
        using var cams = tensor(new float[] { 0.8f, 0f }, new long[] { 1, 1, 2 });
        var acc = new PrototypeSampleAccumulator(classCount: 1);

        acc.Add(features, cams, [0]);

        Assert.Equal(new float[] { 0, 10, 20, 2, 12, 22 }, acc.Foreground(0)!.ToArray());
        Assert.Equal(new float[] { 1, 11, 21, 3, 13, 23 }, acc.Context(0)!.ToArray());
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    public void The_sample_stays_at_the_cap_when_the_images_grow(int factor)
    {
        // 4 x 4 maps, left half foreground: 8 foreground and 8 context rows per image. 10 images fill the cap of 80 once.
        const int cap = 80, baseImages = 10;
        var acc = new PrototypeSampleAccumulator(classCount: 2, tau: 0.1f, sampleCap: cap, seed: 7);
        using var cam = tensor(Enumerable.Range(0, 16).Select(i => i % 4 < 2 ? 1f : 0f).ToArray(), new long[] { 1, 4, 4 });
        for (int i = 0; i < baseImages * factor; i++)
        {
            using var features = full(new long[] { 5, 4, 4 }, (float)i);
            acc.Add(features, cam, [1]);
        }

        var fg = acc.Foreground(1)!;
        Assert.Equal(cap, fg.Count);
        Assert.Equal(cap, acc.Context(1)!.Count);
        Assert.Equal(8L * baseImages * factor, fg.RowsSeen);
        Assert.True(fg.AllocatedFloats <= cap * 5);
        // The sample draws from the whole stream, not only from the first images.
        Assert.Contains(fg.ToArray(), v => v >= baseImages * factor / 2);
    }

    [Fact]
    public void Same_seed_gives_the_same_samples()
    {
        float[] Run(int seed)
        {
            var acc = new PrototypeSampleAccumulator(1, sampleCap: 10, seed: seed);
            using var cam = ones(1, 2, 2);
            for (int i = 0; i < 20; i++)
            {
                using var f = arange(i * 12, i * 12 + 12, dtype: ScalarType.Float32).reshape(3, 2, 2);
                acc.Add(f, cam, [0]);
            }
            return acc.Foreground(0)!.ToArray();
        }
        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }

    [Fact]
    public void Bad_inputs_name_the_tensor_its_shape_and_the_expectation()
    {
        var acc = new PrototypeSampleAccumulator(classCount: 3);
        using var good = HandFeatures();
        using var cam = ones(1, 2, 2);

        using (var flat = zeros(3, 4))
        {
            var e = Assert.Throws<ArgumentException>(() => acc.Add(flat, cam, [0]));
            Assert.Equal("features", e.ParamName);
            Assert.Contains("[3, 4]", e.Message);
            Assert.Contains("[D, h, w]", e.Message);
        }
        using (var two = ones(2, 2, 2))
        {
            var e = Assert.Throws<ArgumentException>(() => acc.Add(good, two, [0]));
            Assert.Equal("cams", e.ParamName);
            Assert.Contains("[2, 2, 2]", e.Message);
        }
        Assert.Contains("0..2", Assert.Throws<ArgumentException>(() => acc.Add(good, cam, [3])).Message);
        Assert.Equal("classIndices", Assert.Throws<ArgumentException>(() => acc.Add(good, cam, [-1])).ParamName);
        using (var twoCams = ones(2, 2, 2))
            Assert.Contains("repeated", Assert.Throws<ArgumentException>(() => acc.Add(good, twoCams, [1, 1])).Message);
        using (var nanCam = ones(1, 2, 2))
        {
            nanCam[0, 1, 1] = tensor(float.NaN);
            var e = Assert.Throws<ArgumentException>(() => acc.Add(good, nanCam, [0]));
            Assert.Equal("cams", e.ParamName);
            Assert.Contains("NaN", e.Message);
        }
        using (var infFeatures = HandFeatures())
        {
            infFeatures[2, 0, 0] = tensor(float.PositiveInfinity);
            var e = Assert.Throws<ArgumentException>(() => acc.Add(infFeatures, cam, [0]));
            Assert.Equal("features", e.ParamName);
            Assert.Contains("[3, 2, 2]", e.Message);
        }
        using (var ints = zeros(new long[] { 3, 2, 2 }, dtype: ScalarType.Int32))
            Assert.Equal("features", Assert.Throws<ArgumentException>(() => acc.Add(ints, cam, [0])).ParamName);
        Assert.Equal(0, acc.ImageCount);

        acc.Add(good, cam, [0]);
        using var otherD = ones(4, 2, 2);
        var dim = Assert.Throws<ArgumentException>(() => acc.Add(otherD, cam, [0]));
        Assert.Contains("D = 3", dim.Message);
    }

    [Fact]
    public void Bad_settings_are_rejected_by_name()
    {
        Assert.Equal("classCount", Assert.Throws<ArgumentOutOfRangeException>(() => new PrototypeSampleAccumulator(0)).ParamName);
        Assert.Equal("tau", Assert.Throws<ArgumentOutOfRangeException>(() => new PrototypeSampleAccumulator(2, tau: 1f)).ParamName);
        Assert.Equal("sampleCap", Assert.Throws<ArgumentOutOfRangeException>(() => new PrototypeSampleAccumulator(2, sampleCap: 0)).ParamName);
    }
}
