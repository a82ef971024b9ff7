using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Estimators;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.Components;

/// <summary>A plain reading of CamFeaturizer's Features column (<see cref="FeatureColumnLayout"/>) into the engine's scales.</summary>
internal static class PackedFeatures
{
    /// <summary>
    /// The blocks of every block scale as the engine takes them: [1, D, h, w] of the image and, with flip, of the mirror
    /// image still mirrored (the column holds it mirrored back).
    /// </summary>
    public static List<(double Scale, ScaleFeatures Features)> Blocks(float[] packed, float[] sizes, FeatureColumnLayout layout, int d)
    {
        var result = new List<(double, ScaleFeatures)>();
        int offset = 0;
        var scales = layout.BlockScales;
        for (int i = 0; i < scales.Count; i++)
        {
            int h = (int)sizes[2 * i], w = (int)sizes[2 * i + 1], count = d * h * w;
            var direct = tensor(packed.AsSpan(offset, count).ToArray(), new long[] { 1, d, h, w });
            offset += count;
            Tensor? mirrored = null;
            if (layout.Flip)
            {
                mirrored = tensor(packed.AsSpan(offset, count).ToArray(), new long[] { 1, d, h, w }).flip(3);
                offset += count;
            }
            result.Add((scales[i], new ScaleFeatures(direct, mirrored)));
        }
        Assert.Equal(packed.Length, offset);
        return result;
    }

    /// <summary>The blocks of the inference scales, in the order of <see cref="FeatureColumnLayout.Scales"/>.</summary>
    public static List<ScaleFeatures> InferenceScales(float[] packed, float[] sizes, FeatureColumnLayout layout, int d)
    {
        var blocks = Blocks(packed, sizes, layout, d);
        return layout.Scales.Select(s => blocks.First(b => b.Scale == s).Features).ToList();
    }
}
