using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LpCam.MLNet.Reporting;

/// <summary>
/// Writes, reads and checks metrics.json:
/// <code>
/// {"images": N, "classifier": {"mAP": x},
///  "methods": {"cam": M, "lpcam_f": M, "lpcam": M}}
/// M = {"threshold": t, "mIoU": x, "FP": x, "FN": x, "precision": x, "recall": x,
///      "iou": {"background": x, "&lt;class&gt;": x, ...},
///      "sweep": [{"threshold": t, "mIoU": x}, ...],
///      "best": {"threshold": t, "mIoU": x, "FP": x, "FN": x, "precision": x, "recall": x, "iou": {...}}}
/// </code>
/// </summary>
/// <remarks>
/// Scores are fractions in [0, 1], not percentages; NaN (an absent class, an unknown mAP) is written as <c>null</c> and read
/// back as NaN. The top-level fields of M are the scores at the threshold chosen on the command line, "best" those at the
/// sweep's best threshold; "sweep" is sorted by ascending threshold. Thresholds are written as the shortest decimal of the
/// float threshold (0.05, not 0.0500000007).
/// </remarks>
public static class MetricsJson
{
    private static readonly string[] MethodKeys = { "cam", "lpcam_f", "lpcam" };
    private static readonly string[] SummaryKeys = { "threshold", "mIoU", "FP", "FN", "precision", "recall", "iou" };

    /// <summary>The document as indented JSON text.</summary>
    /// <exception cref="ArgumentException">A method's class names repeat (JSON object keys must be unique).</exception>
    public static string Serialize(MetricsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("images", document.Images);
            w.WriteStartObject("classifier");
            WriteFraction(w, "mAP", document.ClassifierMeanAveragePrecision);
            w.WriteEndObject();
            w.WriteStartObject("methods");
            foreach (var (key, _, metrics) in document.Methods)
            {
                ArgumentNullException.ThrowIfNull(metrics, nameof(document));
                w.WriteStartObject(key);
                WriteSummaryFields(w, metrics.Chosen, key);
                w.WriteStartArray("sweep");
                foreach (var point in metrics.Sweep)
                {
                    w.WriteStartObject();
                    w.WriteNumber("threshold", point.Threshold);
                    WriteFraction(w, "mIoU", point.MeanIoU);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("best");
                WriteSummaryFields(w, metrics.Best, key + ".best");
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    /// <summary>Writes metrics.json to <paramref name="path"/> atomically (temporary file, then a move).</summary>
    public static void Write(string path, MetricsDocument document) => ReportFiles.WriteAllText(path, Serialize(document));

    /// <summary>Reads a metrics.json file.</summary>
    /// <exception cref="InvalidDataException">The text does not follow the schema; the message lists the problems.</exception>
    public static MetricsDocument Read(string path) => Parse(File.ReadAllText(path));

    /// <summary>Parses metrics.json text.</summary>
    /// <exception cref="InvalidDataException">The text does not follow the schema; the message lists the problems.</exception>
    public static MetricsDocument Parse(string json)
    {
        var problems = Validate(json);
        if (problems.Count > 0)
            throw new InvalidDataException("metrics.json does not follow the schema: " + string.Join("; ", problems));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var methods = root.GetProperty("methods");
        return new MetricsDocument(
            root.GetProperty("images").GetInt32(),
            Fraction(root.GetProperty("classifier").GetProperty("mAP")),
            ReadMethod(methods.GetProperty("cam")),
            ReadMethod(methods.GetProperty("lpcam_f")),
            ReadMethod(methods.GetProperty("lpcam")));
    }

    /// <summary>
    /// Checks metrics.json text against the schema: every key present and no other, the types, scores in [0, 1] or null,
    /// thresholds finite and not negative, a non-empty sweep in strictly ascending threshold order, and "best" at a swept
    /// threshold whose mIoU is the sweep's highest.
    /// </summary>
    /// <returns>The problems found, each naming the JSON path; empty when the text is valid.</returns>
    public static IReadOnlyList<string> Validate(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var problems = new List<string>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            problems.Add($"not valid JSON: {e.Message}");
            return problems;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (!Object(root, "$", problems))
                return problems;
            Keys(root, "$", new[] { "images", "classifier", "methods" }, problems);
            if (root.TryGetProperty("images", out var images)
                && (images.ValueKind != JsonValueKind.Number || !images.TryGetInt32(out int n) || n < 0))
                problems.Add($"$.images is {Show(images)}; expected a non-negative integer");
            if (root.TryGetProperty("classifier", out var classifier) && Object(classifier, "$.classifier", problems))
            {
                Keys(classifier, "$.classifier", new[] { "mAP" }, problems);
                if (classifier.TryGetProperty("mAP", out var map))
                    CheckFraction(map, "$.classifier.mAP", problems);
            }
            if (root.TryGetProperty("methods", out var methods) && Object(methods, "$.methods", problems))
            {
                Keys(methods, "$.methods", MethodKeys, problems);
                foreach (var key in MethodKeys)
                    if (methods.TryGetProperty(key, out var method))
                        CheckMethod(method, "$.methods." + key, problems);
            }
        }
        return problems;
    }

    private static void CheckMethod(JsonElement method, string path, List<string> problems)
    {
        if (!Object(method, path, problems))
            return;
        Keys(method, path, SummaryKeys.Append("sweep").Append("best").ToArray(), problems);
        CheckSummary(method, path, problems);
        var sweepThresholds = new List<(double Threshold, double MeanIoU)>();
        if (method.TryGetProperty("sweep", out var sweep))
        {
            if (sweep.ValueKind != JsonValueKind.Array)
                problems.Add($"{path}.sweep is {Show(sweep)}; expected an array");
            else if (sweep.GetArrayLength() == 0)
                problems.Add($"{path}.sweep is empty; expected at least one threshold");
            else
            {
                int i = 0;
                foreach (var point in sweep.EnumerateArray())
                {
                    string p = $"{path}.sweep[{i++}]";
                    if (!Object(point, p, problems))
                        continue;
                    Keys(point, p, new[] { "threshold", "mIoU" }, problems);
                    double t = point.TryGetProperty("threshold", out var te) ? CheckThreshold(te, p + ".threshold", problems) : double.NaN;
                    double m = point.TryGetProperty("mIoU", out var me) ? CheckFraction(me, p + ".mIoU", problems) : double.NaN;
                    if (!double.IsNaN(t) && sweepThresholds.Count > 0 && !(t > sweepThresholds[^1].Threshold))
                        problems.Add($"{p}.threshold {Number(t)} does not follow {Number(sweepThresholds[^1].Threshold)}; expected the sweep sorted by strictly ascending threshold");
                    if (!double.IsNaN(t))
                        sweepThresholds.Add((t, m));
                }
            }
        }
        if (method.TryGetProperty("best", out var best) && Object(best, path + ".best", problems))
        {
            Keys(best, path + ".best", SummaryKeys, problems);
            CheckSummary(best, path + ".best", problems);
            if (sweepThresholds.Count > 0 && best.TryGetProperty("threshold", out var bt) && bt.ValueKind == JsonValueKind.Number
                && best.TryGetProperty("mIoU", out var bm) && bm.ValueKind == JsonValueKind.Number)
            {
                double t = bt.GetDouble(), m = bm.GetDouble();
                int at = sweepThresholds.FindIndex(s => s.Threshold == t);
                double highest = sweepThresholds.Max(s => double.IsNaN(s.MeanIoU) ? double.NegativeInfinity : s.MeanIoU);
                if (at < 0)
                    problems.Add($"{path}.best.threshold {Number(t)} is not one of the sweep's thresholds");
                else if (Math.Abs(sweepThresholds[at].MeanIoU - m) > 1e-9)
                    problems.Add($"{path}.best.mIoU {Number(m)} differs from the sweep's {Number(sweepThresholds[at].MeanIoU)} at threshold {Number(t)}");
                if (m < highest - 1e-9)
                    problems.Add($"{path}.best.mIoU {Number(m)} is below the sweep's highest mIoU {Number(highest)}");
            }
        }
    }

    private static void CheckSummary(JsonElement summary, string path, List<string> problems)
    {
        foreach (var key in SummaryKeys)
        {
            if (!summary.TryGetProperty(key, out var value))
                continue;
            if (key == "threshold")
                CheckThreshold(value, $"{path}.threshold", problems);
            else if (key == "iou")
            {
                if (Object(value, path + ".iou", problems))
                {
                    int count = 0;
                    foreach (var entry in value.EnumerateObject())
                    {
                        count++;
                        CheckFraction(entry.Value, $"{path}.iou[\"{entry.Name}\"]", problems);
                    }
                    if (count == 0)
                        problems.Add($"{path}.iou is empty; expected background and the object classes");
                }
            }
            else
                CheckFraction(value, $"{path}.{key}", problems);
        }
    }

    private static bool Object(JsonElement element, string path, List<string> problems)
    {
        if (element.ValueKind == JsonValueKind.Object)
            return true;
        problems.Add($"{path} is {Show(element)}; expected an object");
        return false;
    }

    private static void Keys(JsonElement element, string path, IReadOnlyCollection<string> expected, List<string> problems)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                problems.Add($"{path} repeats the key \"{property.Name}\"");
            else if (!expected.Contains(property.Name))
                problems.Add($"{path} has the unexpected key \"{property.Name}\"");
        }
        foreach (var key in expected)
            if (!seen.Contains(key))
                problems.Add($"{path} lacks the key \"{key}\"");
    }

    private static double CheckFraction(JsonElement value, string path, List<string> problems)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return double.NaN;
        if (value.ValueKind != JsonValueKind.Number)
        {
            problems.Add($"{path} is {Show(value)}; expected a number in [0, 1] or null");
            return double.NaN;
        }
        double x = value.GetDouble();
        if (!(x >= 0 && x <= 1))
            problems.Add($"{path} is {Number(x)}; expected a fraction in [0, 1] (not a percentage)");
        return x;
    }

    private static double CheckThreshold(JsonElement value, string path, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            problems.Add($"{path} is {Show(value)}; expected a number of at least 0");
            return double.NaN;
        }
        double x = value.GetDouble();
        if (!(x >= 0) || double.IsInfinity(x))
        {
            problems.Add($"{path} is {Number(x)}; expected a finite threshold of at least 0");
            return double.NaN;
        }
        return x;
    }

    private static string Show(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {element.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        _ => element.GetRawText(),
    };

    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteFraction(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
            w.WriteNumber(name, value);
        else
            w.WriteNull(name);
    }

    private static void WriteSummaryFields(Utf8JsonWriter w, MetricsSummary summary, string where)
    {
        ArgumentNullException.ThrowIfNull(summary, where);
        w.WriteNumber("threshold", summary.Threshold);
        WriteFraction(w, "mIoU", summary.MeanIoU);
        WriteFraction(w, "FP", summary.FalsePositive);
        WriteFraction(w, "FN", summary.FalseNegative);
        WriteFraction(w, "precision", summary.Precision);
        WriteFraction(w, "recall", summary.Recall);
        w.WriteStartObject("iou");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in summary.Classes)
        {
            if (!names.Add(c.Name))
                throw new ArgumentException($"The class name \"{c.Name}\" appears twice in {where}; metrics.json needs unique names.");
            WriteFraction(w, c.Name, c.IoU);
        }
        w.WriteEndObject();
    }

    private static MethodMetrics ReadMethod(JsonElement method) => new(
        ReadSummary(method),
        ReadSummary(method.GetProperty("best")),
        method.GetProperty("sweep").EnumerateArray()
            .Select(p => new SweepPoint(p.GetProperty("threshold").GetDouble(), Fraction(p.GetProperty("mIoU")))).ToArray());

    private static MetricsSummary ReadSummary(JsonElement s) => new(
        s.GetProperty("threshold").GetDouble(),
        Fraction(s.GetProperty("mIoU")),
        Fraction(s.GetProperty("FP")),
        Fraction(s.GetProperty("FN")),
        Fraction(s.GetProperty("precision")),
        Fraction(s.GetProperty("recall")),
        s.GetProperty("iou").EnumerateObject().Select(p => new ClassIoU(p.Name, Fraction(p.Value))).ToArray());

    private static double Fraction(JsonElement e) => e.ValueKind == JsonValueKind.Null ? double.NaN : e.GetDouble();
}
