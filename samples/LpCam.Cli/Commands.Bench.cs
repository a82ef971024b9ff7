using System.Diagnostics;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.LpCam;
using LpCam.MLNet.Engine.Prototypes;
using LpCam.MLNet.Images;
using static TorchSharp.torch;

namespace LpCam.Cli;

internal static partial class Commands
{
    /// <summary>
    /// bench: medians of repeated timings on this machine, in one process, so ratios are comparable: the backbone at a few
    /// sizes and batch sizes, the LPCAM map stage (folded weights vs a loop over prototypes), and spherical k-means.
    /// </summary>
    public static int Bench(CliArgs args)
    {
        int reps = args.Int("reps", 5, min: 1);
        args.RejectUnknown();
        Console.WriteLine($"bench: {Environment.ProcessorCount} cores, {reps} repetitions each, median ms (TorchSharp threads {get_num_threads()})");

        using (var backbone = Backbone.ResNet18())
        {
            var rng = new Random(1);
            RgbImage Image(int h, int w) => new(h, w, Enumerable.Range(0, 3 * h * w).Select(_ => (float)rng.Next(256)).ToArray());
            foreach (var (h, w) in new[] { (224, 224), (320, 320), (336, 448), (448, 448) })
            {
                var one = Image(h, w);
                double ms1 = Median(reps, () => backbone.Extract(one, out _, out _));
                var eight = Enumerable.Range(0, 8).Select(_ => one).ToList();
                double ms8 = Median(Math.Max(1, reps / 2), () => backbone.ExtractBatch(eight, out _, out _)) / 8;
                Console.WriteLine($"backbone resnet18/32 {h}x{w}: batch 1 {ms1,8:F1} ms/image, batch 8 {ms8,8:F1} ms/image (ratio {ms8 / ms1:F2})");
            }
        }

        var set = RandomPrototypes(classes: 20, perSet: 12, dim: 512);
        using (var map = new LocalPrototypeMap(set))
        using (var features = rand(1, 512, 20, 28))
        using (var index = arange(20, dtype: ScalarType.Int64))
        {
            double folded = Median(reps * 4, () => { using var s = map.Scores(features, index); });
            double loop = Median(reps, () => { using var s = LpCamReference.ScoresByPrototypeLoop(set, features, false); });
            Console.WriteLine($"LPCAM scores, D=512, 20x28, 20 classes x (12+12) prototypes: folded {folded:F2} ms, loop {loop:F2} ms (loop/folded {loop / folded:F0}x)");
        }

        manual_seed(1);
        using (var x = randn(50_000, 512))
        {
            var kmeans = new SphericalKMeans(new SphericalKMeansOptions { Clusters = 12, MaxIterations = 20, Tolerance = 0, Seed = 1 });
            double ms = Median(Math.Max(1, reps / 2), () => kmeans.Fit(x));
            Console.WriteLine($"spherical k-means, 50,000 x 512, K=12, 20 iterations: {ms:F0} ms ({ms / 20:F1} ms/iteration)");
        }
        return 0;
    }

    private static double Median(int reps, Action action)
    {
        action(); // warm-up
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }

    private static PrototypeSet RandomPrototypes(int classes, int perSet, int dim)
    {
        var rng = new Random(2);
        float[][] Centres() => Enumerable.Range(0, perSet).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        return new PrototypeSet(dim, Enumerable.Range(0, classes).Select(c => new ClassPrototypes(c, Centres(), new float[perSet], Centres(), new float[perSet])).ToList());
    }
}
