namespace LpCam.MLNet.Tests.Support;

/// <summary>
/// The real PASCAL VOC images in <c>../shared/data/voc-dev</c>. Tests that need them fail (never skip) when the folder is
/// missing, so a CI run without the data cannot pass silently.
/// </summary>
public static class VocDev
{
    /// <summary>The voc-dev folder, found by walking up from the test binary to the folder beside the repository.</summary>
    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("LPCAM_VOC_DEV");
            if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data", "voc-dev");
                if (dir.Parent != null && File.Exists(Path.Combine(dir.FullName, "LpCam.MLNet.sln")))
                {
                    candidate = Path.Combine(dir.Parent.FullName, "shared", "data", "voc-dev");
                    if (Directory.Exists(candidate)) return candidate;
                    break;
                }
            }
            throw new DirectoryNotFoundException(
                "The real-data tests need ../shared/data/voc-dev beside the repository (or LPCAM_VOC_DEV set to it); it was not found.");
        }
    }

    /// <summary>Path of the JPEG of <paramref name="name"/>.</summary>
    public static string Jpeg(string name) => Path.Combine(Root, "JPEGImages", name + ".jpg");

    /// <summary>The first <paramref name="count"/> image names of the dev list.</summary>
    public static IReadOnlyList<string> Names(int count = int.MaxValue) =>
        File.ReadLines(Path.Combine(Root, "ImageSets", "Segmentation", "dev.txt"))
            .Where(l => l.Length > 0).Take(count).ToList();

    /// <summary>The 20 VOC object classes, in label order (label c + 1 in the masks is class c here).</summary>
    public static readonly string[] ClassNames =
    {
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse",
        "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    };

    /// <summary>Multi-hot labels (20 slots) of every image, from labels.csv.</summary>
    public static IReadOnlyDictionary<string, float[]> Labels()
    {
        var result = new Dictionary<string, float[]>();
        foreach (var line in File.ReadLines(Path.Combine(Root, "labels.csv")).Skip(1))
        {
            var parts = line.Split(',');
            var multiHot = new float[20];
            foreach (var id in parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)) multiHot[int.Parse(id) - 1] = 1;
            result[parts[0]] = multiHot;
        }
        return result;
    }
}
