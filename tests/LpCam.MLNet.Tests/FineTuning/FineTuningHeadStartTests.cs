using LpCam.MLNet.Backbones;
using LpCam.MLNet.Engine.Classifier;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.FineTuning;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.FineTuning;

/// <summary>How the fine-tuned head starts (<see cref="FineTuningHeadStart"/>): a linear probe of the pretrained network (LP-FT), or random from the seed.</summary>
public class FineTuningHeadStartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lpcam-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FineTuningOptions Recipe(FineTuningHeadStart start) => new()
    {
        BatchSize = 4, Epochs = 2, CropSize = 96, MinLongSide = 64, MaxLongSide = 96, OutputStride = 32,
        BackboneLearningRate = 0.01, HeadLearningRate = 0.1, FirstTrainedStage = 4, Device = "cpu", HeadStart = start,
    };

    private static (IReadOnlyList<RgbImage> Images, IReadOnlyList<float[]> Labels) Slice()
    {
        var names = VocDev.Names(8);
        var labels = VocDev.Labels();
        return (names.Select(n => RgbImage.Load(VocDev.Jpeg(n)).ResizeLongSide(128)).ToList(), names.Select(n => labels[n]).ToList());
    }

    [Fact]
    public void The_probe_is_the_head_trained_on_the_onnx_backbones_pooled_features_of_the_images_at_the_crop_size()
    {
        var (images, labels) = Slice();
        using var scope = NewDisposeScope();
        var model = ResNet18Rewriter.Rewrite(32);
        var options = Recipe(FineTuningHeadStart.LinearProbe);
        var seen = new List<int>();
        using var tuner = new FineTuner(model, 20, options);
        var probe = tuner.FitLinearProbe(images.Count, i => images[i], i => labels[i], (done, total) => { Assert.Equal(images.Count, total); seen.Add(done); });
        Assert.Equal(Enumerable.Range(1, images.Count), seen);
        Assert.Equal(probe.Weights, tuner.Head.Weights);

        // Reference: the ONNX backbone (not the TorchSharp module) on each image resized to the crop size, pooled, and the
        // same head trainer; the two networks agree to 1e-3, so the heads' scores agree closely.
        using var onnx = new OnnxBackbone(model);
        var pooled = images.Select(x =>
        {
            var f = onnx.Extract(x.ResizeLongSide(options.CropSize), out int h, out int w);
            return GlobalAveragePool.Pool(f, onnx.FeatureDim, h * w);
        }).ToList();
        var expected = new MultiLabelHeadTrainer(new MultiLabelHeadOptions { Seed = options.Seed }).Train(pooled, labels).Head;
        var a = probe.Scores(pooled);
        var b = expected.Scores(pooled);
        for (int i = 0; i < a.Length; i++)
            for (int c = 0; c < 20; c++)
                Assert.True(Math.Abs(a[i][c] - b[i][c]) < 1e-2, $"image {i}, class {c}: {a[i][c]} vs {b[i][c]}");
        // It fits the images it was trained on: every labelled class scores above every absent one of the same image.
        for (int i = 0; i < a.Length; i++)
            Assert.True(Enumerable.Range(0, 20).Where(c => labels[i][c] > 0).Min(c => a[i][c]) > Enumerable.Range(0, 20).Where(c => labels[i][c] == 0).Max(c => a[i][c]), $"image {i}");
    }

    [Fact]
    public void Training_from_the_probe_starts_at_a_lower_loss_and_a_resumed_run_does_not_fit_it_again()
    {
        var (images, labels) = Slice();
        using var scope = NewDisposeScope();
        using var random = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe(FineTuningHeadStart.Random));
        var fromRandom = random.Train(images.Count, i => images[i], i => labels[i]);

        int probed = 0;
        using var straight = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe(FineTuningHeadStart.LinearProbe));
        var fromProbe = straight.Train(images.Count, i => images[i], i => labels[i], probeProgress: (_, _) => probed++);
        Assert.Equal(images.Count, probed);
        // The same crops (one seed): the probe's first loss is far below a random head's (about ln 2).
        Assert.True(fromProbe[0].Loss < 0.5 * fromRandom[0].Loss, $"{fromProbe[0].Loss} vs {fromRandom[0].Loss}");

        var folder = new FineTuningCheckpoints(Path.Combine(_dir, "run"), "voc8", EverySteps: 1);
        using var cancel = new CancellationTokenSource();
        using (var first = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe(FineTuningHeadStart.LinearProbe)))
            Assert.ThrowsAny<OperationCanceledException>(() =>
                first.Train(images.Count, i => images[i], i => labels[i], s => { if (s.Step == 1) cancel.Cancel(); }, cancel.Token, folder));
        probed = 0;
        using var resumed = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe(FineTuningHeadStart.LinearProbe));
        var steps = resumed.Train(images.Count, i => images[i], i => labels[i], checkpoints: folder, probeProgress: (_, _) => probed++);
        Assert.Equal(0, probed);
        Assert.Equal(2, resumed.ResumedFromStep);
        Assert.Equal(fromProbe.Select(s => s.Loss), steps.Select(s => s.Loss));
        Assert.Equal(straight.Head.Weights, resumed.Head.Weights);
    }

    [Fact]
    public void A_random_head_start_is_the_seeds_whatever_other_threads_draw_from_torchs_global_generator()
    {
        using var scope = NewDisposeScope();
        using var reference = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe(FineTuningHeadStart.Random));
        var expected = reference.Head.Weights;
        Assert.All(expected, w => Assert.True(Math.Abs(w) <= 1 / Math.Sqrt(512)));

        using var stop = new CancellationTokenSource();
        var noise = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var s = NewDisposeScope();
                random.manual_seed(7);
                rand(4096);
            }
        });
        noise.Start();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                using var tuner = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe(FineTuningHeadStart.Random));
                Assert.Equal(expected, tuner.Head.Weights);
            }
        }
        finally
        {
            stop.Cancel();
            noise.Join();
        }
    }
}
