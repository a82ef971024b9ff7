using LpCam.MLNet.Backbones;
using LpCam.MLNet.FineTuning;
using LpCam.MLNet.Images;
using LpCam.MLNet.Tests.Support;
using static TorchSharp.torch;

namespace LpCam.MLNet.Tests.FineTuning;

/// <summary>Checkpoints of <see cref="FineTuner.Train"/>: an interrupted run continues exactly where it stopped.</summary>
public class FineTuningCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lpcam-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly FineTuningOptions Recipe = new()
    {
        BatchSize = 2, Epochs = 2, CropSize = 64, MinLongSide = 64, MaxLongSide = 96, OutputStride = 32,
        BackboneLearningRate = 0.01, HeadLearningRate = 0.1, FirstTrainedStage = 3, Device = "cpu",
    };

    private static (IReadOnlyList<RgbImage> Images, IReadOnlyList<float[]> Labels) Slice()
    {
        var names = VocDev.Names(4);
        var labels = VocDev.Labels();
        return (names.Select(n => RgbImage.Load(VocDev.Jpeg(n)).ResizeLongSide(96)).ToList(), names.Select(n => labels[n]).ToList());
    }

    private static float[] Weights(FineTuner tuner, string name) =>
        tuner.Network.state_dict()[name].detach().cpu().contiguous().data<float>().ToArray();

    [Fact]
    public void A_run_interrupted_after_a_checkpoint_resumes_to_the_same_network_as_an_uninterrupted_run()
    {
        var (images, labels) = Slice();
        using var scope = NewDisposeScope();

        using var straight = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe);
        var all = straight.Train(images.Count, i => images[i], i => labels[i], checkpoints: new(Path.Combine(_dir, "straight"), "voc4"));
        Assert.Equal(4, all.Count);
        Assert.Equal([false, true, false, true], all.Select(s => s.EndsEpoch));

        // Stopped after step 3 (checkpoints after every step), then a fresh tuner continues from the folder.
        var folder = new FineTuningCheckpoints(Path.Combine(_dir, "interrupted"), "voc4", EverySteps: 1);
        using var cancel = new CancellationTokenSource();
        using (var first = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe))
            Assert.ThrowsAny<OperationCanceledException>(() =>
                first.Train(images.Count, i => images[i], i => labels[i], s => { if (s.Step == 2) cancel.Cancel(); }, cancel.Token, folder));
        Assert.Single(Directory.EnumerateFiles(folder.Folder, "*.weights"));

        var trainedAfter = new List<int>();
        using var resumed = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe);
        var steps = resumed.Train(images.Count, i => images[i], i => labels[i], s => trainedAfter.Add(s.Step), checkpoints: folder);
        Assert.Equal(3, resumed.ResumedFromStep);
        Assert.Equal([3], trainedAfter);
        Assert.Equal(all.Select(s => s.Loss), steps.Select(s => s.Loss));
        foreach (var name in new[] { "layer3.0.conv1.weight", "layer4.1.bn2.bias" })
            Assert.Equal(Weights(straight, name), Weights(resumed, name));
        Assert.Equal(straight.Head.Weights, resumed.Head.Weights);
        // Frozen stages did not move: layer2 equals the pretrained network's.
        using var pretrained = ResNet18.FromOnnx(ResNet18Rewriter.Rewrite(32));
        Assert.Equal(pretrained.state_dict()["layer2.1.conv2.weight"].data<float>().ToArray(), Weights(resumed, "layer2.1.conv2.weight"));
        Assert.NotEqual(pretrained.state_dict()["layer3.1.conv2.weight"].data<float>().ToArray(), Weights(resumed, "layer3.1.conv2.weight"));
    }

    [Fact]
    public void A_checkpoint_of_other_options_or_data_or_a_damaged_one_is_refused_with_the_folder_named()
    {
        var (images, labels) = Slice();
        using var scope = NewDisposeScope();
        var folder = new FineTuningCheckpoints(Path.Combine(_dir, "run"), "voc4");
        using (var tuner = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe))
            tuner.Train(images.Count, i => images[i], i => labels[i], checkpoints: folder);

        using (var other = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, new FineTuningOptions
        {
            BatchSize = 2, Epochs = 2, CropSize = 64, MinLongSide = 64, MaxLongSide = 96, OutputStride = 32,
            BackboneLearningRate = 0.02, HeadLearningRate = 0.1, FirstTrainedStage = 3, Device = "cpu",
        }))
        {
            var e = Assert.Throws<InvalidDataException>(() => other.Train(images.Count, i => images[i], i => labels[i], checkpoints: folder));
            Assert.Contains("other options", e.Message);
            Assert.Contains("lr=0.02", e.Message);
            Assert.Contains(folder.Folder, e.Message);
        }
        using (var tuner = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe))
        {
            var e = Assert.Throws<InvalidDataException>(() => tuner.Train(images.Count, i => images[i], i => labels[i], checkpoints: folder with { Fingerprint = "voc5" }));
            Assert.Contains("other data", e.Message);
        }
        File.WriteAllText(folder.RecordPath, "{ not json");
        using (var tuner = new FineTuner(ResNet18Rewriter.Rewrite(32), 20, Recipe))
        {
            var e = Assert.Throws<InvalidDataException>(() => tuner.Train(images.Count, i => images[i], i => labels[i], checkpoints: folder));
            Assert.Contains(folder.RecordPath, e.Message);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuningOptions { FirstTrainedStage = 5 }.Validate());
    }
}
