namespace LpCam.MLNet.Data;

/// <summary>An axis-aligned pixel box of a synthetic scene: columns Left..Left+Width-1, rows Top..Top+Height-1.</summary>
/// <param name="Left">First column.</param>
/// <param name="Top">First row.</param>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
public readonly record struct SyntheticBox(int Left, int Top, int Width, int Height)
{
    /// <summary>Whether pixel (<paramref name="x"/>, <paramref name="y"/>) is inside.</summary>
    public bool Contains(int x, int y) => x >= Left && x < Left + Width && y >= Top && y < Top + Height;
}
