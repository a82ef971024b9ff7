using TorchSharp;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Smoke;

/// <summary>Proves the TorchSharp native library loads and computes (the Debian 12 libstdc++ problem shows up here).</summary>
public class TorchSharpSmokeTests
{
    [Fact]
    public void Conv2d_matches_a_hand_computed_result()
    {
        // x = [[1,2,3],[4,5,6],[7,8,9]], kernel = [[1,2],[3,4]], no padding, stride 1:
        // out[0,0] = 1*1 + 2*2 + 3*4 + 4*5 = 37; out[0,1] = 2 + 6 + 15 + 24 = 47;
        // out[1,0] = 4 + 10 + 21 + 32 = 67;      out[1,1] = 5 + 12 + 24 + 36 = 77.
        using var x = tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }).reshape(1, 1, 3, 3);
        using var k = tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);
        using var y = nn.functional.conv2d(x, k);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, y.shape);
        Assert.Equal(new float[] { 37, 47, 67, 77 }, y.data<float>().ToArray());
    }
}
