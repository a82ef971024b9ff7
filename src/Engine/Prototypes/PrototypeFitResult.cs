using LpCam.MLNet.Engine;
namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>The outcome of <see cref="PrototypeFitter.Fit(TorchSharp.torch.Tensor)"/>.</summary>
/// <param name="Prototypes">The prototypes of every class, in class order.</param>
/// <param name="Reports">One report per class, in class order.</param>
public sealed record PrototypeFitResult(PrototypeSet Prototypes, IReadOnlyList<ClassFitReport> Reports);
