namespace LpCam.MLNet.Data;

/// <summary>
/// Parses a label list: tokens separated by spaces or ';', each a class name (case-insensitive) or a 1-based class id
/// (the VOC mask label, 1..C). An empty list means "no object class" (background only).
/// </summary>
internal static class LabelList
{
    private static readonly char[] Separators = { ' ', ';', '\t' };

    /// <summary>The 0-based ids, or a problem naming the bad token.</summary>
    public static (int[]? Ids, string? Problem) Parse(string field, IReadOnlyList<string> classNames, IReadOnlyDictionary<string, int> index)
    {
        var ids = new List<int>();
        foreach (var token in field.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id))
            {
                if (id < 1 || id > classNames.Count) return (null, $"class id {id} is outside 1..{classNames.Count} (ids are 1-based).");
                ids.Add(id - 1);
            }
            else if (index.TryGetValue(token, out int c)) ids.Add(c);
            else return (null, $"unknown class '{token}' (not one of the {classNames.Count} class names).");
        }
        return (ids.Distinct().Order().ToArray(), null);
    }
}
