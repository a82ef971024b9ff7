namespace LpCam.MLNet.Data;

/// <summary>Checks of a decoded mask against its image and class list.</summary>
internal static class MaskChecks
{
    /// <summary>Null when the mask is fine, otherwise what is wrong (size, or a label above the class count).</summary>
    public static string? Check(byte[] mask, int maskHeight, int maskWidth, int imageHeight, int imageWidth, int classCount)
    {
        if (maskHeight != imageHeight || maskWidth != imageWidth)
            return $"mask is {maskHeight}x{maskWidth} but the image is {imageHeight}x{imageWidth}.";
        for (int i = 0; i < mask.Length; i++)
        {
            int v = mask[i];
            if (v > classCount && v != VocPalette.Ignore)
                return $"pixel (x={i % maskWidth}, y={i / maskWidth}) has label {v}; labels are 0..{classCount} and {VocPalette.Ignore}.";
        }
        return null;
    }

    /// <summary>The 0-based classes present in a mask (labels 1..C).</summary>
    public static SortedSet<int> Classes(byte[] mask)
    {
        Span<bool> present = stackalloc bool[256];
        foreach (byte v in mask) present[v] = true;
        var result = new SortedSet<int>();
        for (int v = 1; v < 255; v++) if (present[v]) result.Add(v - 1);
        return result;
    }
}
