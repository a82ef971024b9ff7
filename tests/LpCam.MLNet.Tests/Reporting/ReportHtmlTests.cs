using System.Net;
using System.Text.RegularExpressions;
using LpCam.MLNet.Images;
using LpCam.MLNet.Reporting;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Reporting;

public sealed class ReportHtmlTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static RunSummary Summary() => new("voc <dev> & co", 1, "ResNet-18 \"ONNX\"",
        new[] { KeyValuePair.Create("K", "12"), KeyValuePair.Create("<tau>", "0.1") },
        "lpcam run-all --name \"<script>alert(1)</script>\"");

    /// <summary>The cell texts of the row of <paramref name="method"/> in the score table with class <paramref name="table"/>.</summary>
    private static string[] Row(string html, string table, string method)
    {
        int start = html.IndexOf($"<table class=\"scores {table}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no table {table}");
        int end = html.IndexOf("</table>", start, StringComparison.Ordinal);
        var body = html[start..end];
        var row = Regex.Match(body, $"<tr><th>{Regex.Escape(method)}</th>(.*?)</tr>");
        Assert.True(row.Success, $"no row {method} in {table}");
        return Regex.Matches(row.Groups[1].Value, "<td[^>]*>([^<]*)</td>").Select(m => m.Groups[1].Value).ToArray();
    }

    [Fact]
    public void Table1_rows_hold_the_hand_computed_percentages()
    {
        var html = ReportHtml.Render(Summary(), ReportFixtures.Document());
        foreach (var method in new[] { "CAM", "LPCAM-F", "LPCAM" })
        {
            Assert.Equal(new[] { "0.3", "10.0", "35.0", "53.3", "87.5", "62.5" }, Row(html, "chosen", method));
            Assert.Equal(new[] { "0.1", "10.0", "0.0", "85.0", "90.0", "100.0" }, Row(html, "best", method));
        }
        Assert.Equal(new[] { "26.5", "26.2", "48.8", "65.0", "65.2" }, Row(html, "paper", "CAM"));
        Assert.Equal(new[] { "33.1", "16.2", "52.1", "61.3", "76.6" }, Row(html, "paper", "LPCAM-F"));
        Assert.Equal(new[] { "29.8", "16.7", "54.9", "64.9", "77.2" }, Row(html, "paper", "LPCAM"));
        Assert.Contains("VOC 2012 train, ResNet-50", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_string_is_escaped()
    {
        var html = ReportHtml.Render(Summary(), ReportFixtures.Document());
        Assert.DoesNotContain("<dog>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<tv>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<tau>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>&lt;dog&gt;</th>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("voc &lt;dev&gt; &amp; co", html, StringComparison.Ordinal);
        Assert.Contains("ResNet-18 &quot;ONNX&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Per_class_table_shows_absent_classes_as_a_dash_and_has_the_sweep_chart()
    {
        var html = ReportHtml.Render(Summary(), ReportFixtures.Document());
        var tv = Regex.Match(html, "<tr><th>&lt;tv&gt;</th>(.*?)</tr>");
        Assert.True(tv.Success);
        Assert.All(Regex.Matches(tv.Groups[1].Value, "<td[^>]*>([^<]*)</td>"), m => Assert.Equal("—", m.Groups[1].Value));
        var cat = Regex.Match(html, "<tr><th>cat</th>(.*?)</tr>");
        Assert.Equal(new[] { "60.0", "60.0", "60.0", "80.0", "80.0", "80.0" },
            Regex.Matches(cat.Groups[1].Value, "<td[^>]*>([^<]*)</td>").Select(m => m.Groups[1].Value));
        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Matches(html, "<polyline class=\"curve\"").Count);
        Assert.Equal(3, Regex.Matches(html, "<circle class=\"best\"").Count);
    }

    [Fact]
    public void Gallery_references_thumbnails_that_exist()
    {
        int h = 40, w = 300;
        var image = new RgbImage(h, w, Enumerable.Range(0, 3 * h * w).Select(i => (float)(i % 256)).ToArray());
        var map = Enumerable.Range(0, h * w).Select(i => (i % w) / (float)w).ToArray();
        var mask = Enumerable.Range(0, h * w).Select(i => (byte)(i % w < 150 ? 0 : 12)).ToArray();
        var gallery = new GalleryWriter(_folder.Path);
        gallery.Add("2007_000032", image, map, map, mask, mask);
        gallery.Add("a b/<c>", image, map, map, mask);

        string report = _folder.File("report.html");
        ReportHtml.Write(report, Summary(), ReportFixtures.Document(), gallery.Rows);
        var html = File.ReadAllText(report);
        var sources = Regex.Matches(html, "<img src=\"([^\"]*)\"").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        Assert.Equal(9, sources.Length);
        foreach (var src in sources)
        {
            Assert.StartsWith("thumbs/", src, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(_folder.Path, Uri.UnescapeDataString(src))), src);
        }
        Assert.Contains("thumbs/2007_000032.lpcam.png", sources);
        Assert.Contains("thumbs/a_b__c_.seed.png", sources);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "thumbs", "a_b__c_.gt.png")));
        Assert.Contains("a b/&lt;c&gt;", html, StringComparison.Ordinal);

        using var thumb = SkiaSharp.SKBitmap.Decode(Path.Combine(_folder.Path, "thumbs", "2007_000032.seed.png"));
        Assert.Equal((160, 21), (thumb.Width, thumb.Height));
    }
}
