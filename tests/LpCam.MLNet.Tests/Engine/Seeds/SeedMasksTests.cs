using LpCam.MLNet.Engine.Seeds;

namespace LpCam.MLNet.Tests.Engine.Seeds;

public class SeedMasksTests
{
    [Fact]
    public void Two_classes_on_2x3_with_ties_going_to_background_then_to_the_first_class()
    {
        // threshold 0.3; labels 7 (map 0) and 12 (map 1).
        // pixel:   (0,0) (0,1) (0,2) (1,0) (1,1) (1,2)
        // map 0:    0.9   0.3   0.1   0.5   0.2   0.30
        // map 1:    0.2   0.3   0.1   0.5   0.6   0.31
        // argmax:    7    bg(tie 0.3=t) bg   7(tie between classes: first)  12  12
        float[] maps =
        {
            0.9f, 0.3f, 0.1f, 0.5f, 0.2f, 0.30f,
            0.2f, 0.3f, 0.1f, 0.5f, 0.6f, 0.31f,
        };
        var mask = SeedMasks.FromMaps(maps, 2, 3, new[] { 7, 12 }, 0.3f);
        Assert.Equal(new byte[] { 7, 0, 0, 7, 12, 12 }, mask);
    }

    [Fact]
    public void No_class_gives_all_background()
    {
        Assert.Equal(new byte[6], SeedMasks.FromMaps(Array.Empty<float>(), 2, 3, Array.Empty<int>(), 0f));
    }

    [Fact]
    public void Threshold_above_one_is_allowed_and_keeps_only_larger_values()
    {
        var mask = SeedMasks.FromMaps(new[] { 1.5f, 1.0f }, 1, 2, new[] { 3 }, 1.2f);
        Assert.Equal(new byte[] { 3, 0 }, mask);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(-0.1f)]
    [InlineData(float.PositiveInfinity)]
    public void Invalid_threshold_is_rejected(float threshold)
    {
        var e = Assert.Throws<ArgumentException>(() => SeedMasks.FromMaps(new float[2], 1, 2, new[] { 1 }, threshold));
        Assert.Equal("threshold", e.ParamName);
    }

    [Fact]
    public void NaN_in_a_map_is_rejected_naming_the_map_index()
    {
        float[] maps = { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, float.NaN };
        var e = Assert.Throws<ArgumentException>(() => SeedMasks.FromMaps(maps, 1, 3, new[] { 4, 9 }, 0.3f));
        Assert.Contains("Map 1", e.Message);
        Assert.Contains("label 9", e.Message);
        Assert.Contains("column 2", e.Message);
    }

    [Fact]
    public void Wrong_length_and_bad_labels_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => SeedMasks.FromMaps(new float[5], 2, 3, new[] { 1 }, 0.3f));
        Assert.Contains("expected 1 maps x 2 x 3 = 6", e.Message);
        Assert.Throws<ArgumentException>(() => SeedMasks.FromMaps(new float[6], 2, 3, new[] { 0 }, 0.3f));
        Assert.Throws<ArgumentException>(() => SeedMasks.FromMaps(new float[6], 2, 3, new[] { 255 }, 0.3f));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeedMasks.FromMaps(Array.Empty<float>(), 0, 3, new[] { 1 }, 0.3f));
    }
}
