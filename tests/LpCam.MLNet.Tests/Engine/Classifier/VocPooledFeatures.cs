using System.Diagnostics;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LpCam.MLNet.Tests.Engine.Classifier;

/// <summary>
/// Pooled 512-d features and 20-class labels of the voc-dev images, computed once per test class with the NuGet package's
/// original ResNet-18 ONNX (input "Input247" [1,3,224,224], output "Pooling395_Output_0" [1,512,1,1]).
/// Preprocessing approximates the package's: resize to 224 x 224, BGR planar, minus 114 on every channel (the package
/// subtracts a 224 x 224 mean image of about 114 per pixel). Stands in until the project's own backbone lands.
/// </summary>
public sealed class VocPooledFeatures
{
    /// <summary>Images used: the first 200 of the dev list (all 484 take about 30 s on an idle 2-core machine, minutes on a busy one).</summary>
    public const int ImageCount = 200;

    /// <summary>Object classes of VOC (ids 1..20 in labels.csv).</summary>
    public const int ClassCount = 20;

    private const float Mean = 114f;

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
        using var session = new InferenceSession(PretrainedModels.ResNet18OnnxPath);
        Features = names.Select(n => Pooled(session, VocDev.Jpeg(n))).ToArray();
        SecondsPerImage = watch.Elapsed.TotalSeconds / names.Count;
    }

    public IReadOnlyList<string> Names { get; }

    public float[][] Features { get; }

    public float[][] Labels { get; }

    public double SecondsPerImage { get; }

    private static float[] Pooled(InferenceSession session, string path)
    {
        var image = RgbImage.Load(path).Resize(224, 224);
        const int plane = 224 * 224;
        var bgr = new float[3 * plane];
        for (int c = 0; c < 3; c++)
        {
            int source = (2 - c) * plane, target = c * plane;
            for (int i = 0; i < plane; i++) bgr[target + i] = image.Pixels[source + i] - Mean;
        }
        var input = new DenseTensor<float>(bgr, new[] { 1, 3, 224, 224 });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Input247", input) });
        return results.Single(r => r.Name == "Pooling395_Output_0").AsTensor<float>().ToArray();
    }
}
