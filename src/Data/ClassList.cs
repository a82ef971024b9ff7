namespace LpCam.MLNet.Data;

/// <summary>Checks and lookups of a dataset's class names.</summary>
internal static class ClassList
{
    /// <summary>Most object classes a mask can hold: labels 1..254, since 255 means "ignore".</summary>
    public const int MaxClasses = 254;

    public static string[] Validate(IReadOnlyList<string> classNames, string paramName)
    {
        ArgumentNullException.ThrowIfNull(classNames, paramName);
        if (classNames.Count == 0) throw new ArgumentException("At least one class name is needed.", paramName);
        if (classNames.Count > MaxClasses)
            throw new ArgumentException($"At most {MaxClasses} classes fit in a mask (255 means ignore); got {classNames.Count}.", paramName);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in classNames)
        {
            if (string.IsNullOrWhiteSpace(name) || name != name.Trim() || name.Any(ch => char.IsWhiteSpace(ch) || ch == ';' || ch == ','))
                throw new ArgumentException($"Class name '{name}' is empty or holds whitespace, ',' or ';'.", paramName);
            if (int.TryParse(name, out _)) throw new ArgumentException($"Class name '{name}' is a number, which label lists would read as a class id.", paramName);
            if (!seen.Add(name)) throw new ArgumentException($"Class name '{name}' appears twice (names are compared ignoring case).", paramName);
        }
        return classNames.ToArray();
    }

    /// <summary>Case-insensitive name → 0-based id.</summary>
    public static Dictionary<string, int> Index(IReadOnlyList<string> classNames)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < classNames.Count; i++) index[classNames[i]] = i;
        return index;
    }
}
