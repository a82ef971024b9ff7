// LpCam.MLNet for ML.NET developers, top to bottom: VOC-style data -> an .Append() chain of ML.NET's image transforms
// and the LPCAM estimators -> Fit -> CAM vs LPCAM seed quality at the images' own resolution -> save -> load -> segment
// an image without labels.
//
//   dotnet run --project samples/LpCam.MLNet.Sample -c Release -- [VOC_DIR] [MAX_IMAGES] [SCALES]
//
// VOC_DIR defaults to ../shared/data/voc-dev; MAX_IMAGES to 120; SCALES to 1.0 (the paper's: 1.0,0.5,1.5,2.0).
using LpCam.MLNet.Data;
using LpCam.MLNet.Engine.Features;
using LpCam.MLNet.Estimators;
using LpCam.MLNet.Images;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

string voc = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "voc-dev");
int maxImages = args.Length > 1 ? int.Parse(args[1]) : 120;
var scales = args.Length > 2 ? InferenceScales.Parse(args[2]).Scales : CamFeaturizerEstimator.Defaults.Scales;
string modelPath = Path.Combine("out", "mlnet-sample", "lpcam-model.zip"); // out/ is ignored by git
Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
const int LongSide = CamFeaturizerEstimator.Defaults.LongSide; // 448, the CLI's --long-side

// 1. Data: image path, multi-hot labels, the image's own size and (for evaluation only) its ground-truth mask.
var dataset = VocDataset.Open(voc);
var classes = dataset.ClassNames;
var rows = dataset.Samples.Take(maxImages).Select(s => new ImageRow
{
    ImagePath = s.ImagePath!,
    Label = s.MultiHot(classes.Count),
    ImageSize = ImageCanvas.ImageSize(s.ImagePath!),
    GroundTruth = dataset.LoadMask(s),
}).ToList();
var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(rows);

// <readme-snippet>
// Images of any size: each is scaled to fit a LongSide x LongSide canvas with its aspect ratio kept (IsoPad); given the
// image's own size, CamFeaturizer crops it back out, and every map comes back at stride 4 of the original image.
var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
    .Append(ml.Transforms.ResizeImages("Image", LongSide, LongSide, resizing: ImageResizingEstimator.ResizingKind.IsoPad))
    .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: false))
    // backbone features of every scale (+ flip), class scores and CAM; Fit trains the multi-label head on the labels
    .Append(ml.LpCam().CamFeaturizer(labelColumnName: "Label", imageSizeColumnName: "ImageSize", scales: scales, flip: true, classNames: classes))
    // class and context prototypes (K = 12, tau = 0.1, mu_f = mu_b = 0.9); LPCAM and LPCAM-F maps from every scale
    .Append(ml.LpCam().LocalPrototypes(foregroundOnlyColumnName: "LpCamF"))
    // seeds at the paper's threshold 0.3: for the labels of labelled images, for the predicted classes of the others
    .Append(ml.LpCam().SeedMasks(mapsColumnName: "LpCam", classes: SeedClasses.LabelsOrPredicted, threshold: 0.3f));

var model = pipeline.Fit(data);
// kept in memory (about 3 MB per VOC image), so the evaluation and the sweeps below do not run the backbone again
var scored = ml.Data.Cache(model.Transform(data), "Label", "ImageSize", "GroundTruth", "Scores", "MapSize", "Cam", "LpCam", "LpCamF", "SeedMask");
// scored against the ground truth at each image's own resolution; the class names come from the pipeline
var lpcam = ml.LpCam().Evaluate(scored, seedColumnName: "SeedMask", groundTruthColumnName: "GroundTruth");
Console.WriteLine($"LPCAM seeds at t = 0.3: mIoU {lpcam.MeanIoU:P1}, recall {lpcam.Recall:P1}");
ml.Model.Save(model, data.Schema, modelPath);
// </readme-snippet>

// 2. CAM vs LPCAM-F vs LPCAM, each at its best background threshold (the seeds are made for the image's own classes),
//    all three in one pass over the data, at the original resolution.
foreach (var (maps, sweep) in ml.LpCam().SweepThresholds(scored, new[] { "Cam", "LpCamF", "LpCam" }))
{
    Console.WriteLine($"{maps,-7} best t {sweep.BestThreshold:F2}: mIoU {sweep.Best.MeanIoU:P1}, FP {sweep.Best.FalsePositive:P1}, FN {sweep.Best.FalseNegative:P1}, precision {sweep.Best.Precision:P1}, recall {sweep.Best.Recall:P1}");
}

// 3. A fresh context loads the zip with plain Model.Load (no registration), and a PredictionEngine segments an image it
//    is given no labels for: the seeds are made for the classes it predicts.
//    (Session options are not stored in the zip: UseNonSpinningOnnxSessions keeps the chain's ONNX Runtime threads from
//    spin-waiting against each other, as Fit did; the model loads and runs without it, only slower.)
var fresh = new MLContext();
fresh.LpCam().UseNonSpinningOnnxSessions();
var loaded = fresh.Model.Load(modelPath, out _);
var engine = fresh.Model.CreatePredictionEngine<ImageRow, SeedPrediction>(loaded);
var unlabelled = new ImageRow { ImagePath = rows[0].ImagePath, ImageSize = rows[0].ImageSize, Label = new float[classes.Count] };
var prediction = engine.Predict(unlabelled);
var present = prediction.SeedMask.Where(v => v > 0).Distinct().Select(v => classes[v - 1]);
Console.WriteLine($"{Path.GetFileName(unlabelled.ImagePath)} (no labels given): seeds {prediction.MapSize[0]} x {prediction.MapSize[1]} for {string.Join(", ", present)}; " +
    $"top score {classes[Array.IndexOf(prediction.Scores, prediction.Scores.Max())]} {prediction.Scores.Max():F2}");

/// <summary>One image: its file, its image-level labels, its own size and, for evaluation, its mask at that size.</summary>
internal sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    [VectorType(20)] public float[] Label { get; set; } = Array.Empty<float>();
    [VectorType(2)] public float[] ImageSize { get; set; } = Array.Empty<float>();
    public byte[] GroundTruth { get; set; } = Array.Empty<byte>();
}

/// <summary>What the pipeline predicts for one image.</summary>
internal sealed class SeedPrediction
{
    [VectorType(1, 20)] public float[] Scores { get; set; } = Array.Empty<float>();
    [VectorType(1, 2)] public float[] MapSize { get; set; } = Array.Empty<float>();
    public byte[] SeedMask { get; set; } = Array.Empty<byte>();
}
