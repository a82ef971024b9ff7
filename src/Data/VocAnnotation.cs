using System.Xml;
using System.Xml.Linq;

namespace LpCam.MLNet.Data;

/// <summary>Reads the image labels of a VOC annotation XML: the distinct <c>object/name</c> values.</summary>
internal static class VocAnnotation
{
    /// <summary>The 0-based ids of the objects' classes, or the problem (missing file, bad XML, unknown class).</summary>
    public static (IReadOnlyList<int>? Ids, string File, string? Problem) Read(string path, IReadOnlyDictionary<string, int> index, bool includeDifficult)
    {
        if (!File.Exists(path)) return (null, path, "annotation XML is missing.");
        XDocument doc;
        try
        {
            doc = XDocument.Load(path);
        }
        catch (XmlException e)
        {
            return (null, path, "annotation XML is unreadable: " + e.Message);
        }
        if (doc.Root == null || doc.Root.Name.LocalName != "annotation")
            return (null, path, $"annotation XML has root <{doc.Root?.Name.LocalName}>, expected <annotation>.");
        var ids = new SortedSet<int>();
        foreach (var obj in doc.Root.Elements("object"))
        {
            var name = obj.Element("name")?.Value.Trim();
            if (string.IsNullOrEmpty(name)) return (null, path, "an <object> has no <name>.");
            if (!index.TryGetValue(name, out int id)) return (null, path, $"unknown class '{name}' (not one of the {index.Count} class names).");
            if (!includeDifficult && obj.Element("difficult")?.Value.Trim() == "1") continue;
            ids.Add(id);
        }
        return (ids.ToArray(), path, null);
    }
}
