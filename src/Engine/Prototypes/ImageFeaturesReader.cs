namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// Reads the features of one image added under <paramref name="imageKey"/> (<see cref="PrototypeFitter.Add(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, IReadOnlyList{int}, int)"/>)
/// into <paramref name="buffer"/>: the same [D, h, w] values, C order, in its first D x h x w elements. The reader may
/// replace the buffer by a larger one; the fitter passes the same buffer back for the next image, so reading many images
/// allocates nothing per image.
/// </summary>
/// <param name="imageKey">The key the image was added under.</param>
/// <param name="buffer">The buffer to fill, replaced by a larger one when too small.</param>
/// <returns>The number of values written, D x h x w.</returns>
public delegate int ImageFeaturesReader(int imageKey, ref float[] buffer);
