using System.Diagnostics;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;

namespace LpCam.MLNet.Tests.Engine.Classifier;

/// <summary>
/// Pooled 512-d features and 20-class labels of the voc-dev images, computed once per test class with the project's own
/// backbone (<see cref="Backbone.ResNet18"/>, stride 32): each image resized to long side <see cref="LongSide"/> (aspect
/// kept), its feature map mean-pooled over the cells of the image.
/// </summary>
public sealed class VocPooledFeatures
{
    /// <summary>Images used: the first 200 of the dev list (all 484 take about 30 s on an idle 2-core machine, minutes on a busy one).</summary>
    public const int ImageCount = 200;

    /// <summary>Object classes of VOC (ids 1..20 in labels.csv).</summary>
    public const int ClassCount = 20;

    /// <summary>Long side of the images fed to the backbone.</summary>
    public const int LongSide = 224;

    public VocPooledFeatures()
    {
        var names = VocDev.Names(ImageCount);
        var labelsByName = File.ReadLines(Path.Combine(VocDev.Root, "labels.csv")).Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .ToDictionary(p => p[0], p => p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray());
        Names = names;
        Labels = names.Select(n =>
        {
            var row = new float[ClassCount];
            foreach (var id in labelsByName[n]) row[id - 1] = 1;
            return row;
        }).ToArray();

        var watch = Stopwatch.StartNew();
        using var backbone = Backbone.ResNet18();
        Features = names.Select(n => Pooled(backbone, VocDev.Jpeg(n))).ToArray();
        SecondsPerImage = watch.Elapsed.TotalSeconds / names.Count;
    }

    public IReadOnlyList<string> Names { get; }

    public float[][] Features { get; }

    public float[][] Labels { get; }

    public double SecondsPerImage { get; }

    private static float[] Pooled(OnnxBackbone backbone, string path)
    {
        var image = RgbImage.Load(path).ResizeLongSide(LongSide);
        var map = backbone.Extract(image, out int h, out int w); // [D, h, w]
        int cells = h * w, d = map.Length / cells;
        var pooled = new float[d];
        for (int c = 0; c < d; c++)
        {
            double sum = 0;
            for (int i = 0; i < cells; i++) sum += map[c * cells + i];
            pooled[c] = (float)(sum / cells);
        }
        return pooled;
    }
}
