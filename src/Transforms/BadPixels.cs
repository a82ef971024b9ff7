namespace LpCam.MLNet.Transforms;

/// <summary>
/// The <see cref="InvalidDataException"/> that refuses a row's pixels (see <see cref="PixelCheckedDataView"/>), marked so
/// that <see cref="BadPixelsSurfacingDataView"/> can find it again inside the exceptions ML.NET wraps it in.
/// </summary>
internal static class BadPixels
{
    private const string Marker = "LpCam.MLNet.BadPixels";

    /// <summary>A marked exception with <paramref name="message"/>.</summary>
    public static InvalidDataException Create(string message, Exception? inner = null)
    {
        var e = new InvalidDataException(message, inner);
        e.Data[Marker] = true;
        return e;
    }

    /// <summary>Whether <paramref name="e"/> itself is a marked exception.</summary>
    public static bool IsMarked(Exception e) => e.Data.Contains(Marker);

    /// <summary>The first marked exception in <paramref name="e"/> and its inner exceptions, or null.</summary>
    public static Exception? Find(Exception? e)
    {
        for (; e != null; e = e.InnerException)
        {
            if (IsMarked(e)) return e;
            if (e is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    if (Find(inner) is { } found) return found;
        }
        return null;
    }
}
