using LpCam.MLNet.Images;
using TorchSharp;

namespace LpCam.MLNet.Backbones;

/// <summary>TorchSharp views of backbone features, for the engine.</summary>
public static class BackboneTensorExtensions
{
    /// <summary>
    /// Extracts same-size images in one batch and returns the maps as a CPU tensor [B, D, h, w]. The caller owns the
    /// tensor (it is moved out of the internal dispose scope).
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or the images differ in size.</exception>
    public static torch.Tensor ExtractTensor(this IBackbone backbone, IReadOnlyList<RgbImage> sameSizeImages)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        var maps = backbone.ExtractBatch(sameSizeImages, out int h, out int w);
        int d = backbone.FeatureDim, size = d * h * w;
        var all = new float[maps.Count * size];
        for (int b = 0; b < maps.Count; b++) maps[b].CopyTo(all, b * size);
        using var scope = torch.NewDisposeScope();
        return torch.tensor(all, [maps.Count, d, h, w]).MoveToOuterDisposeScope();
    }
}
