using System.Text.RegularExpressions;

namespace LpCam.MLNet.Data;

/// <summary>
/// Reads a VOC image list: <c>ImageSets/Segmentation/*.txt</c> holds one image name per line; the classification lists
/// <c>ImageSets/Main/*_trainval.txt</c> hold <c>NAME FLAG</c> columns, FLAG being 1 (class present), -1 (absent) or 0
/// (difficult only).
/// </summary>
/// <remarks>
/// Each line is trimmed (spaces, tabs, '\r', a byte-order mark); blank lines are ignored. A line that names an existing
/// image as a whole is that image, so names containing spaces are kept whole. Otherwise a line of the two-column form
/// <c>NAME FLAG</c> (FLAG -1, 0 or 1) is the image NAME; the flag says whether one class is present, not whether the image
/// belongs to the set, so every flag is kept. A name written with its image extension (<c>NAME.jpg</c>) is read as NAME
/// when only NAME finds an image. Any other line with a space in it, or a name holding a path separator, is an
/// error issue naming the list file and line number (it names no image). A name listed twice is a warning and read once.
/// A list with no name at all is an <see cref="InvalidDataException"/> naming the file.
/// </remarks>
internal static partial class ImageSetFile
{
    [GeneratedRegex(@"^(\S+)\s+(-1|0|1)$")]
    private static partial Regex NameAndFlag();

    /// <summary>The names of <paramref name="path"/> in file order, and the issues of its lines.</summary>
    /// <param name="path">The list file.</param>
    /// <param name="imageFolder">Where the images are (to keep a whole line that names an existing image).</param>
    /// <exception cref="InvalidDataException">The file lists no name (empty or only blank lines).</exception>
    public static (List<string> Names, List<DatasetIssue> Issues) Read(string path, string imageFolder)
    {
        var names = new List<string>();
        var issues = new List<DatasetIssue>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0, nonBlank = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim().Trim('\uFEFF').Trim();
            if (line.Length == 0) continue;
            nonBlank++;
            var (name, problem) = Parse(line, imageFolder);
            if (problem != null)
            {
                issues.Add(new DatasetIssue($"line {lineNumber}", path, $"line {lineNumber} '{line}' {problem}", DatasetIssueSeverity.Error));
                continue;
            }
            if (seen.Add(name!)) names.Add(name!);
            else issues.Add(new DatasetIssue(name!, path, $"line {lineNumber} lists '{name}' again; read once.", DatasetIssueSeverity.Warning));
        }
        if (nonBlank == 0)
            throw new InvalidDataException(
                $"Image set file '{path}' lists no image ({(lineNumber == 0 ? "it is empty" : $"its {lineNumber} line(s) are blank")}); expected one image name per line, as in VOC's ImageSets/Segmentation/*.txt.");
        return (names, issues);
    }

    private static (string? Name, string? Problem) Parse(string line, string imageFolder)
    {
        string name = line;
        if (line.Any(char.IsWhiteSpace) && ImageFiles.Find(imageFolder, line) == null)
        {
            var match = NameAndFlag().Match(line);
            if (!match.Success)
                return (null, "is neither an image name (no image file of that whole name) nor VOC's 'NAME FLAG' form with FLAG -1, 0 or 1.");
            name = match.Groups[1].Value;
        }
        // "NAME.jpg": the extension is dropped when only the name without it finds an image.
        if (ImageFiles.Extensions.Contains(Path.GetExtension(name)) && ImageFiles.Find(imageFolder, name) == null
            && Path.GetFileNameWithoutExtension(name) is { Length: > 0 } stem && ImageFiles.Find(imageFolder, stem) != null)
            name = stem;
        if (name.IndexOfAny(new[] { '/', '\\' }) >= 0 || name is "." or "..")
            return (null, "is not a file name (it holds a path separator); expected an image name without folder or extension.");
        return (name, null);
    }
}
