using LpCam.MLNet.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LpCam.MLNet.Tests.BadInput;

/// <summary>The pixel guard compiled into CamFeaturizer's graph, run alone by ONNX Runtime in front of an Identity.</summary>
public class InputGuardGraphTests
{
    private const int Size = 8;

    private static InferenceSession Guarded()
    {
        var g = new OnnxGraphBuilder("guard_test");
        g.Input("Pixels", 1L, 3L, (long)Size, (long)Size);
        g.Node("Identity", new[] { "Pixels" }, "Out");
        g.Output("Out", 1L, 3L, (long)Size, (long)Size);
        return new InferenceSession(InputGuardGraph.InsertPixels(g.ToBytes(), "Pixels", -1f, 256f));
    }

    private static float[] Run(InferenceSession session, float[] pixels)
    {
        var input = NamedOnnxValue.CreateFromTensor("Pixels", new DenseTensor<float>(pixels, new[] { 1, 3, Size, Size }));
        using var results = session.Run(new[] { input });
        return results.Single().AsEnumerable<float>().ToArray();
    }

    private static float[] Pixels() => Enumerable.Range(0, 3 * Size * Size).Select(i => (float)(i * 37 % 256)).ToArray();

    [Theory]
    [InlineData(0f)]
    [InlineData(255f)]
    [InlineData(-1f)]
    [InlineData(256f)]
    [InlineData(127.5f)]
    public void Accepted_pixels_pass_through_unchanged(float value)
    {
        using var session = Guarded();
        var pixels = Pixels();
        pixels[100] = value;
        Assert.Equal(pixels, Run(session, pixels));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    [InlineData(256.5f)]
    [InlineData(-1.5f)]
    [InlineData(65535f)]
    public void A_bad_pixel_stops_the_run_with_the_guard_message(float value)
    {
        using var session = Guarded();
        var pixels = Pixels();
        pixels[37] = value;
        var e = Assert.Throws<OnnxRuntimeException>(() => Run(session, pixels));
        Assert.Contains(InputGuardGraph.PixelFailure("Pixels", -1f, 256f), e.Message);
        Assert.Contains("holds NaN, an infinity or a value outside -1..256", e.Message);
    }

    [Theory]
    [InlineData(float.NaN, false)]
    [InlineData(float.PositiveInfinity, false)]
    [InlineData(float.NegativeInfinity, false)]
    [InlineData(1e30f, true)]
    [InlineData(-1e30f, true)]
    [InlineData(float.MaxValue, true)]
    public void Finite_guard_refuses_only_nan_and_infinities(float value, bool accepted)
    {
        var g = new OnnxGraphBuilder("finite_test");
        g.Input("Maps", "N", 2L, 3L, 3L);
        g.Node("Identity", new[] { "Maps" }, "Out");
        g.Output("Out", "N", 2L, 3L, 3L);
        using var session = new InferenceSession(InputGuardGraph.InsertFinite(g.ToBytes(), "Maps", "class maps"));
        var maps = Enumerable.Range(0, 18).Select(i => i / 17f).ToArray();
        maps[5] = value;
        var input = NamedOnnxValue.CreateFromTensor("Maps", new DenseTensor<float>(maps, new[] { 1, 2, 3, 3 }));
        if (accepted)
        {
            using var results = session.Run(new[] { input });
            Assert.Equal(maps, results.Single().AsEnumerable<float>().ToArray());
        }
        else
        {
            var e = Assert.Throws<OnnxRuntimeException>(() => session.Run(new[] { input }).Dispose());
            Assert.Contains("LpCam input check: column 'Maps' holds NaN or an infinity; expected finite class maps", e.Message);
        }
    }

    [Fact]
    public void Nan_and_infinities_of_both_signs_together_are_still_refused()
    {
        using var session = Guarded();
        var pixels = Pixels();
        (pixels[0], pixels[1], pixels[2]) = (float.NaN, float.PositiveInfinity, float.NegativeInfinity);
        Assert.Throws<OnnxRuntimeException>(() => Run(session, pixels));
    }
}
