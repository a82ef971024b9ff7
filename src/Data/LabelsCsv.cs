namespace LpCam.MLNet.Data;

/// <summary>
/// A labels CSV: one line per image, <c>name,labels</c>, where labels is a <see cref="LabelList"/> (class names or 1-based
/// ids, space- or ';'-separated). The first line is a header when its first field is <c>name</c> (any case) and is
/// skipped. Blank lines are skipped; fields may be wrapped in double quotes.
/// </summary>
internal sealed class LabelsCsv
{
    private readonly Dictionary<string, (int[]? Ids, string? Problem)> _rows = new(StringComparer.Ordinal);

    private LabelsCsv(string path) => Path = path;

    /// <summary>The CSV file.</summary>
    public string Path { get; }

    /// <summary>Image names in file order (first occurrence).</summary>
    public List<string> Names { get; } = new();

    /// <summary>Problems with lines that name no usable image (malformed lines).</summary>
    public List<DatasetIssue> LineIssues { get; } = new();

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file lists no image (empty, or only a header and blank lines); the
    /// message names it.</exception>
    public static LabelsCsv Read(string path, IReadOnlyList<string> classNames)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Labels CSV not found: '{path}'.", path);
        var csv = new LabelsCsv(path);
        var index = ClassList.Index(classNames);
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            var name = Unquote(fields[0]);
            if (lineNumber == 1 && name.Equals("name", StringComparison.OrdinalIgnoreCase)) continue;
            if (fields.Length != 2 || name.Length == 0)
            {
                csv.LineIssues.Add(new DatasetIssue(name.Length == 0 ? $"line {lineNumber}" : name, path,
                    $"line {lineNumber} is not 'name,labels': '{raw}'.", DatasetIssueSeverity.Error));
                continue;
            }
            if (csv._rows.ContainsKey(name))
            {
                csv.LineIssues.Add(new DatasetIssue(name, path, $"line {lineNumber} repeats image '{name}'; the first line is used.", DatasetIssueSeverity.Warning));
                continue;
            }
            var (ids, problem) = LabelList.Parse(Unquote(fields[1]), classNames, index);
            csv._rows[name] = (ids, problem == null ? null : $"line {lineNumber}: {problem}");
            csv.Names.Add(name);
        }
        if (csv.Names.Count == 0 && csv.LineIssues.Count == 0)
            throw new InvalidDataException(
                $"Labels CSV '{path}' lists no image ({(lineNumber == 0 ? "it is empty" : "it holds no line besides a header or blank lines")}); expected one 'name,labels' line per image.");
        return csv;
    }

    /// <summary>The labels of <paramref name="name"/>, as a <see cref="SampleChecker.LabelSource"/>.</summary>
    public (IReadOnlyList<int>? Ids, string File, string? Problem) Lookup(string name) =>
        _rows.TryGetValue(name, out var row) ? (row.Ids, Path, row.Problem) : (null, Path, $"image '{name}' has no line in the labels CSV.");

    private static string Unquote(string field)
    {
        field = field.Trim();
        return field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Trim() : field;
    }
}
