namespace LpCam.MLNet.Data;

/// <summary>Operations on label masks (one byte per pixel: 0 background, c + 1 class c, 255 ignore).</summary>
public static class LabelMasks
{
    /// <summary>
    /// The mask scaled with nearest-neighbour sampling (labels are never blended) to <paramref name="newHeight"/> x
    /// <paramref name="newWidth"/>: each output pixel takes the label under its centre.
    /// </summary>
    /// <exception cref="ArgumentException">The mask does not hold <paramref name="height"/> x <paramref name="width"/> bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static byte[] ResizeNearest(ReadOnlySpan<byte> mask, int height, int width, int newHeight, int newWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(newHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(newWidth, 1);
        if (mask.Length != (long)height * width)
            throw new ArgumentException($"The mask has {mask.Length} bytes; expected {height} x {width} = {(long)height * width}.", nameof(mask));
        var result = new byte[newHeight * newWidth];
        for (int y = 0; y < newHeight; y++)
        {
            int sy = Math.Min(height - 1, (int)((y + 0.5) * height / newHeight));
            for (int x = 0; x < newWidth; x++)
            {
                int sx = Math.Min(width - 1, (int)((x + 0.5) * width / newWidth));
                result[y * newWidth + x] = mask[sy * width + sx];
            }
        }
        return result;
    }
}
