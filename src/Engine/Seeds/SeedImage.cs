namespace LpCam.MLNet.Engine.Seeds;

/// <summary>One image's input to a <see cref="ThresholdSweep"/>: its class maps and its ground-truth mask.</summary>
/// <param name="Maps">k maps of <paramref name="Height"/> x <paramref name="Width"/> values, C order (map, row, column).</param>
/// <param name="Height">Rows of each map and of the ground truth.</param>
/// <param name="Width">Columns of each map and of the ground truth.</param>
/// <param name="ClassLabels">The label value (1..C) of each of the k maps.</param>
/// <param name="GroundTruth">One label per pixel, row-major; 255 is ignored.</param>
public sealed record SeedImage(float[] Maps, int Height, int Width, IReadOnlyList<int> ClassLabels, byte[] GroundTruth);
