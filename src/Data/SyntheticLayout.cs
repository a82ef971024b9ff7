namespace LpCam.MLNet.Data;

/// <summary>What a synthetic image shows: its background and its objects (what the mask and labels were made from).</summary>
/// <param name="Background">Index into <see cref="SyntheticScenes.BackgroundNames"/>.</param>
/// <param name="Objects">One or two objects, not overlapping.</param>
public sealed record SyntheticLayout(int Background, IReadOnlyList<SyntheticObject> Objects);
