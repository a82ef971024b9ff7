using BenchmarkDotNet.Attributes;
using LpCam.MLNet.Backbones;
using LpCam.MLNet.Data;
using LpCam.MLNet.Estimators;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace LpCam.Benchmarks;

/// <summary>
/// The ML.NET route against its backbone alone, in one process: <c>model.Transform</c> of the fitted pipeline
/// (LoadImages, ResizeImages 448 x 448 IsoPad, ExtractPixels, CamFeaturizer with the image size, LocalPrototypes with
/// LPCAM-F, SeedMasks), every output column read, at the defaults (scale 1 + flip: two backbone passes per image) and
/// without flip (one pass), versus the same image chain with only the rewritten ResNet-18 applied by ML.NET's
/// <c>ApplyOnnxModel</c> (one pass), all in one context, whose ONNX Runtime sessions the first Fit sets to not spin
/// (<c>OnnxSessionSettings</c>); and the no-flip model loaded into a fresh context with ONNX Runtime's default sessions
/// (threads that spin-wait between runs). 120 voc-dev images per operation, reported per image. The images are read from
/// <c>../shared/data/voc-dev</c> beside the repository (or <c>LPCAM_VOC_DEV</c>).
/// Run: <c>dotnet run -c Release --project benchmarks/LpCam.Benchmarks -- --filter *MlNetRouteBenchmarks*</c>.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
[MemoryDiagnoser(false)]
public class MlNetRouteBenchmarks
{
    private const int Images = 120;
    private const int Size = 448;
    private MLContext _ml = null!;
    private IDataView _data = null!;
    private ITransformer _lpcam = null!;
    private ITransformer _lpcamNoFlip = null!;
    private ITransformer _backbone = null!;
    private ITransformer _lpcamDefaultSessions = null!;

    /// <summary>Fits the LPCAM pipeline on the images (once) and builds the backbone-only chain.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var dataset = VocDataset.Open(VocDevRoot());
        var classes = dataset.ClassNames;
        var rows = dataset.Samples.Take(Images).Select(s => new Row
        {
            ImagePath = s.ImagePath!, Label = s.MultiHot(classes.Count), ImageSize = LpCam.MLNet.Images.ImageCanvas.ImageSize(s.ImagePath!),
        }).ToList();
        _ml = new MLContext(seed: 0);
        _data = _ml.Data.LoadFromEnumerable(rows);
        IEstimator<ITransformer> Pipeline(bool flip) => ImageChain(_ml)
            .Append(_ml.LpCam().CamFeaturizer(labelColumnName: "Label", imageSizeColumnName: "ImageSize", flip: flip, classNames: classes))
            .Append(_ml.LpCam().LocalPrototypes(foregroundOnlyColumnName: "LpCamF"))
            .Append(_ml.LpCam().SeedMasks(mapsColumnName: "LpCam"));
        _lpcam = Pipeline(flip: true).Fit(_data);
        _lpcamNoFlip = Pipeline(flip: false).Fit(_data);
        _lpcamDefaultSessions = ReloadWithDefaultSessions(_lpcamNoFlip, _data.Schema);
        var backbone = ResNet18Rewriter.Rewrite(32);
        _backbone = ImageChain(_ml)
            .Append(_ml.Transforms.CopyColumns(ResNet18Rewriter.InputName, "Pixels"))
            .Append(_ml.Transforms.ApplyOnnxModel(new[] { ResNet18Rewriter.OutputName }, new[] { ResNet18Rewriter.InputName },
                new MemoryStream(backbone.BytesArray), new Dictionary<string, int[]> { [ResNet18Rewriter.InputName] = new[] { 1, 3, Size, Size } }, null, false))
            .Fit(_data);
    }

    /// <summary>The backbone alone: every image's 512 x 14 x 14 feature map.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Images)]
    public long BackboneOnly() => ReadAll(_backbone.Transform(_data), ResNet18Rewriter.OutputName);

    /// <summary>The fitted LPCAM model at the defaults: features, scores, CAM, LPCAM, LPCAM-F and seed masks of every image.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public long LpCamModel() => ReadAll(_lpcam.Transform(_data), Outputs);

    /// <summary>The fitted LPCAM model without flip (one backbone pass per image, as the baseline).</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public long LpCamModelNoFlip() => ReadAll(_lpcamNoFlip.Transform(_data), Outputs);

    [Benchmark(OperationsPerInvoke = Images)]
    public long LpCamModelNoFlipDefaultSessions() => ReadAll(_lpcamDefaultSessions.Transform(_data), Outputs);

    /// <summary>The model saved and loaded into a fresh context with ONNX Runtime's default sessions (threads that
    /// spin-wait between runs), as a process that never calls <c>UseNonSpinningOnnxSessions</c> gets it.</summary>
    private static ITransformer ReloadWithDefaultSessions(ITransformer model, DataViewSchema schema)
    {
        var ml = new MLContext(seed: 0);
        using var stream = new MemoryStream();
        ml.Model.Save(model, schema, stream);
        stream.Position = 0;
        return ml.Model.Load(stream, out _);
    }

    private static readonly string[] Outputs = ["Features", "FeatureSize", "Scores", "Cam", "MapSize", "LpCam", "LpCamF", "SeedMask"];

    private static IEstimator<ITransformer> ImageChain(MLContext ml) =>
        ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: nameof(Row.ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", Size, Size, resizing: ImageResizingEstimator.ResizingKind.IsoPad))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: false));

    /// <summary>Reads the named columns of every row; returns the number of values read.</summary>
    private static long ReadAll(IDataView view, params string[] columns)
    {
        var cols = columns.Select(c => view.Schema[c]).ToArray();
        using var cursor = view.GetRowCursor(cols);
        var floatGetters = cols.Where(c => ItemType(c.Type) == NumberDataViewType.Single).Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
        var byteGetters = cols.Where(c => ItemType(c.Type) == NumberDataViewType.Byte).Select(c => cursor.GetGetter<VBuffer<byte>>(c)).ToArray();
        VBuffer<float> f = default;
        VBuffer<byte> b = default;
        long n = 0;
        while (cursor.MoveNext())
        {
            foreach (var get in floatGetters) { get(ref f); n += f.Length; }
            foreach (var get in byteGetters) { get(ref b); n += b.Length; }
        }
        return n;
    }

    private static DataViewType ItemType(DataViewType type) => type is VectorDataViewType v ? v.ItemType : type;

    private static string VocDevRoot()
    {
        if (Environment.GetEnvironmentVariable("LPCAM_VOC_DEV") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LpCam.MLNet.sln")) && dir.Parent is not null)
                return Path.Combine(dir.Parent.FullName, "shared", "data", "voc-dev");
        throw new DirectoryNotFoundException("voc-dev not found: run from the repository, or set LPCAM_VOC_DEV.");
    }

    /// <summary>One image: its file and its labels.</summary>
    public sealed class Row
    {
        /// <summary>The image file.</summary>
        public string ImagePath { get; set; } = "";
        /// <summary>Multi-hot labels of the 20 VOC classes.</summary>
        [VectorType(20)] public float[] Label { get; set; } = Array.Empty<float>();
        /// <summary>The image's own height and width.</summary>
        [VectorType(2)] public float[] ImageSize { get; set; } = Array.Empty<float>();
    }
}
