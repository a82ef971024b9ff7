using System.Text.Json;
using LpCam.MLNet.Backbones;
using Microsoft.ML;
using LpCam.MLNet.Tests.Support;
using TorchSharp.PyBridge;

namespace LpCam.MLNet.Tests.Cli;

/// <summary>lpcam fine-tune on a voc-dev slice, then lpcam run with the written backbone.</summary>
public class FineTuneCliTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("lpcam-finetune-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void Fine_tune_writes_a_backbone_that_run_accepts()
    {
        string tuned = Path.Combine(_out, "tuned");
        var (code, output) = CliProcess.Run("fine-tune", "--voc", VocDev.Root, "--max-images", "8", "--out", tuned, "--max-steps", "2",
            "--batch", "4", "--crop", "128", "--min-long-side", "128", "--max-long-side", "160", "--output-stride", "32", "--recipe", "reference", "--head-start", "linear-probe");
        Assert.True(code == 0, output);
        Assert.Contains("head start linear-probe", output);
        Assert.Contains("linear probe: head trained on the pretrained features", output);
        // The reference recipe's learning rates, with the options given on the command line over its crop and sizes.
        Assert.Contains("recipe: reference", output);
        Assert.Contains("lr 0.1 / head 1,", output);
        string onnx = Path.Combine(tuned, "backbone-finetuned.onnx"), json = Path.Combine(tuned, "finetune.json");
        Assert.True(File.Exists(onnx), output);
        Assert.True(File.Exists(json), output);
        Assert.Empty(Directory.EnumerateFiles(tuned, "*.tmp-*"));
        Assert.Contains("step 2/2", output);
        Assert.Contains($"--backbone {onnx}:{ResNet18Rewriter.OutputName}", output);

        using (var doc = JsonDocument.Parse(File.ReadAllText(json)))
        {
            var steps = doc.RootElement.GetProperty("steps").EnumerateArray().ToList();
            Assert.Equal(2, steps.Count);
            Assert.All(steps, s => Assert.True(double.IsFinite(s.GetProperty("loss").GetDouble())));
            Assert.All(steps, s => Assert.True(s.GetProperty("seconds").GetDouble() > 0));
            Assert.Equal(4, doc.RootElement.GetProperty("options").GetProperty("batch").GetInt32());
            Assert.Equal(128, doc.RootElement.GetProperty("options").GetProperty("crop").GetInt32());
            Assert.Equal(LpCam.MLNet.FineTuning.FineTuningRecipes.Reference.BackboneLearningRate, doc.RootElement.GetProperty("options").GetProperty("lr").GetDouble());
            Assert.Equal("reference", doc.RootElement.GetProperty("recipe").GetString());
            Assert.Equal(32, doc.RootElement.GetProperty("stride").GetInt32());
            Assert.Equal("linear-probe", doc.RootElement.GetProperty("options").GetProperty("head_start").GetString());
        }

        // The saved model is recognised as an LpCam.MLNet backbone: RGB 0..255, padded with its mean to 32.
        var saved = ResNet18Rewriter.SavedModelOptions(onnx);
        Assert.NotNull(saved);
        Assert.Same(PixelNormalization.Identity, saved.Normalization);
        Assert.Equal(32, saved.Stride);
        Assert.Equal(ResNet18Rewriter.PadMultiple, saved.PadMultiple);
        Assert.Equal(ResNet18Rewriter.Rewrite(32).PadPixelRgb, saved.PadPixelRgb);
        Assert.Null(ResNet18Rewriter.SavedModelOptions(PretrainedModels.ResNet18OnnxPath));

        string run = Path.Combine(_out, "run");
        var (code2, output2) = CliProcess.Run("run", "--voc", VocDev.Root, "--max-images", "8", "--long-side", "224", "--k", "2",
            "--head-epochs", "5", "--gallery", "2", "--backbone", $"{onnx}:{ResNet18Rewriter.OutputName}", "--out", run);
        Assert.True(code2 == 0, output2);
        Assert.Contains("is an LpCam.MLNet backbone", output2);
        Assert.True(File.Exists(Path.Combine(run, "metrics.json")), output2);
    }

    [Fact]
    public void Fine_tune_killed_after_a_checkpoint_resumes_to_the_uninterrupted_network_which_run_and_CamFeaturizer_load()
    {
        string[] Args(string dir) => ["fine-tune", "--voc", VocDev.Root, "--max-images", "8", "--out", dir, "--epochs", "2",
            "--batch", "4", "--crop", "96", "--min-long-side", "96", "--max-long-side", "128", "--output-stride", "32",
            "--lr", "0.01", "--head-lr", "0.5", "--first-stage", "3", "--checkpoint-every", "1"];
        string straight = Path.Combine(_out, "straight"), killed = Path.Combine(_out, "killed");
        var (code, output) = CliProcess.Run(Args(straight));
        Assert.True(code == 0, output);
        Assert.Contains("step 4/4 (epoch 2)", output);
        Assert.Matches(@"epoch 1: \d+:\d\d for the steps trained in this process", output);
        Assert.Contains("stages 3..4 trained", output);
        Assert.Contains("recipe: cpu", output);
        Assert.Contains($"epochs, batch 4, crop 96", output);

        // Killed once step 2's checkpoint is written; the same command continues after it.
        string partial = CliProcess.RunUntilKilled("step 2/4", Args(killed));
        Assert.DoesNotContain("step 3/4", partial);
        Assert.False(File.Exists(Path.Combine(killed, "backbone-finetuned.onnx")));
        var (code2, resumed) = CliProcess.Run(Args(killed));
        Assert.True(code2 == 0, resumed);
        Assert.Matches(@"resumed from the checkpoint in .* after step [23]/4", resumed);
        Assert.DoesNotContain("step 1/4", resumed);
        Assert.Contains("step 4/4", resumed);
        string onnx = Path.Combine(killed, "backbone-finetuned.onnx");
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "backbone-finetuned.onnx")), File.ReadAllBytes(onnx));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(killed, "finetune.json"))))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("steps").GetArrayLength());
            Assert.InRange(doc.RootElement.GetProperty("resumed_from_step").GetInt32(), 2, 3);
            Assert.Equal(2, doc.RootElement.GetProperty("seconds_per_epoch").GetArrayLength());
        }
        // Other options in the same folder: refused, naming the checkpoint.
        var (code3, refused) = CliProcess.Run([.. Args(killed).Select(a => a == "0.01" ? "0.02" : a)]);
        Assert.NotEqual(0, code3);
        Assert.Contains("other options", refused);

        // run takes the fine-tuned head with the network when asked (--head auto) ...
        string run = Path.Combine(_out, "run-ft");
        var (code4, output4) = CliProcess.Run("run", "--voc", VocDev.Root, "--max-images", "8", "--long-side", "128", "--k", "2",
            "--gallery", "1", "--backbone", $"{onnx}:{ResNet18Rewriter.OutputName}", "--out", run, "--head", "auto");
        Assert.True(code4 == 0, output4);
        Assert.Contains("the CAM head is the backbone's own", output4);
        var saved = ResNet18Rewriter.SavedModelOptions(onnx)!;
        using var backbone = LpCam.MLNet.Backbones.Backbone.FromOnnx(onnx, saved);
        Assert.NotNull(backbone.Head);
        var head = LpCam.MLNet.Engine.Interop.Npz.Read(Path.Combine(run, "head.npz"))["weights"].AsFloat32();
        Assert.Equal(backbone.Head.Weights, head);

        // ... and so does CamFeaturizer (HeadSource Auto), which then trains nothing; by default it trains a head.
        var ml = new Microsoft.ML.MLContext(seed: 1);
        var rows = VocDev.Names(2).Select(n => new LpCam.MLNet.Tests.Components.VocSizedRow(n)).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = LpCam.MLNet.Tests.Components.VocSizedRow.CanvasPipeline(ml, 128, 128)
            .Append(ml.LpCam().CamFeaturizer(new() { Backbone = backbone.Model, ImageSizeColumnName = "ImageSize", Device = "cpu", HeadSource = LpCam.MLNet.Estimators.CamHeadSource.Auto }))
            .Fit(data);
        var featurizer = model.LastTransformer;
        Assert.Equal(backbone.Head.Weights, featurizer.Head.Weights);
        Assert.Empty(featurizer.Training.EpochLosses);
        var trained = LpCam.MLNet.Tests.Components.VocSizedRow.CanvasPipeline(ml, 128, 128)
            .Append(ml.LpCam().CamFeaturizer(new() { Backbone = backbone.Model, ImageSizeColumnName = "ImageSize", Device = "cpu", Head = new() { Epochs = 2 } }))
            .Fit(data).LastTransformer;
        Assert.NotEqual(backbone.Head.Weights, trained.Head.Weights);
        var e = Assert.Throws<ArgumentException>(() => ml.LpCam().CamFeaturizer(new() { HeadSource = LpCam.MLNet.Estimators.CamHeadSource.Backbone }));
        Assert.Contains("HeadSource", e.Message);
    }

    [Fact]
    public void Fine_tune_arch_resnet50_trains_a_state_dict_and_writes_a_recognised_backbone()
    {
        var (bad, badOutput) = CliProcess.Run("fine-tune", "--voc", VocDev.Root, "--max-images", "2", "--out", Path.Combine(_out, "bad"), "--arch", "resnet50");
        Assert.NotEqual(0, bad);
        Assert.Contains("--state-dict PATH", badOutput);
        var (bad2, badOutput2) = CliProcess.Run("fine-tune", "--voc", VocDev.Root, "--out", Path.Combine(_out, "bad"), "--arch", "resnet34");
        Assert.NotEqual(0, bad2);
        Assert.Contains("expected resnet18 or resnet50", badOutput2);

        string weights = Path.Combine(_out, "r50.safetensors");
        using (var net = LpCam.MLNet.FineTuning.ResNet50.Create(32))
            net.save_safetensors(weights);
        string tuned = Path.Combine(_out, "tuned50");
        var (code, output) = CliProcess.Run("fine-tune", "--voc", VocDev.Root, "--max-images", "2", "--out", tuned, "--max-steps", "1",
            "--batch", "2", "--crop", "64", "--min-long-side", "64", "--max-long-side", "96", "--output-stride", "32",
            "--lr", "0.01", "--head-lr", "0.1", "--arch", "resnet50", "--state-dict", weights);
        Assert.True(code == 0, output);
        string onnx = Path.Combine(tuned, "backbone-finetuned.onnx");
        Assert.Contains($"--backbone {onnx}:{LpCam.MLNet.FineTuning.ResNet50Onnx.OutputName}", output);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(tuned, "finetune.json"))))
        {
            Assert.Equal("resnet50", doc.RootElement.GetProperty("arch").GetString());
            Assert.Equal("resnet50-os32-finetuned", doc.RootElement.GetProperty("model_name").GetString());
        }
        var saved = ResNet18Rewriter.SavedModelOptions(onnx);
        Assert.NotNull(saved);
        Assert.Equal(LpCam.MLNet.FineTuning.ResNet50Onnx.OutputName, saved.FeatureTensorName);
        Assert.Equal(32, saved.Stride);
        Assert.Equal(PixelNormalization.ImageNet.ZeroPixelRgb, saved.PadPixelRgb);

        string run = Path.Combine(_out, "run50");
        var (code2, output2) = CliProcess.Run("run", "--voc", VocDev.Root, "--max-images", "4", "--long-side", "128", "--k", "2",
            "--head-epochs", "5", "--gallery", "1", "--backbone", $"{onnx}:{LpCam.MLNet.FineTuning.ResNet50Onnx.OutputName}", "--out", run);
        Assert.True(code2 == 0, output2);
        Assert.Contains("is an LpCam.MLNet backbone", output2);
        Assert.True(File.Exists(Path.Combine(run, "metrics.json")), output2);
    }
}
