// LpCam.MLNet for ML.NET developers, top to bottom: VOC-style data -> an .Append() chain of ML.NET's image transforms
// and the LPCAM estimators -> Fit -> CAM vs LPCAM seed quality -> save -> load -> predict one image.
//
//   dotnet run --project samples/LpCam.MLNet.Sample -c Release -- [VOC_DIR] [MAX_IMAGES]
//
// VOC_DIR defaults to ../shared/data/voc-dev; MAX_IMAGES to 120.
using LpCam.MLNet.Data;
using LpCam.MLNet.Estimators;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

string voc = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "voc-dev");
int maxImages = args.Length > 1 ? int.Parse(args[1]) : 120;
string modelPath = Path.Combine("out", "mlnet-sample", "lpcam-model.zip"); // out/ is ignored by git
Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
const int Size = 448; // images are stretched to Size x Size: the ONNX graphs need one fixed size, a multiple of 32

// 1. Data: image path, multi-hot labels and (for evaluation only) the ground-truth mask at the model's size.
var dataset = VocDataset.Open(voc);
var classes = dataset.ClassNames;
var rows = dataset.Samples.Take(maxImages).Select(s => new ImageRow
{
    ImagePath = s.ImagePath!,
    Label = s.MultiHot(classes.Count),
    GroundTruth = LabelMasks.ResizeNearest(dataset.LoadMask(s), s.Height, s.Width, Size, Size),
}).ToList();
var ml = new MLContext(seed: 0);
var data = ml.Data.LoadFromEnumerable(rows);

// <readme-snippet>
var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
    .Append(ml.Transforms.ResizeImages("Image", Size, Size, resizing: ImageResizingEstimator.ResizingKind.Fill))
    .Append(ml.Transforms.ExtractPixels("Pixels", "Image", interleavePixelColors: false))
    // backbone features, class scores and CAM; Fit trains the multi-label head on the labels
    .Append(ml.LpCam().CamFeaturizer(labelColumnName: "Label", classNames: classes))
    // class and context prototypes (K = 12, tau = 0.1, mu_f = mu_b = 0.9); LPCAM and LPCAM-F maps
    .Append(ml.LpCam().LocalPrototypes(new LocalPrototypeEstimator.Options { ForegroundOnlyColumnName = "LpCamF" }))
    // seed masks from the LPCAM maps of each image's classes at the paper's threshold 0.3
    .Append(ml.LpCam().SeedMasks(mapsColumnName: "LpCam", labelColumnName: "Label", threshold: 0.3f));

var model = pipeline.Fit(data);
var scored = model.Transform(data);
var lpcam = ml.LpCam().Evaluate(scored, classes.Count, seedColumnName: "SeedMask", groundTruthColumnName: "GroundTruth");
Console.WriteLine($"LPCAM seeds at t = 0.3: mIoU {lpcam.MeanIoU:P1}, recall {lpcam.Recall:P1}");
ml.Model.Save(model, data.Schema, modelPath);
// </readme-snippet>

// 2. CAM vs LPCAM-F vs LPCAM, each at its best background threshold (the seeds are made for the image's own classes),
//    all three in one pass over the data.
foreach (var (maps, sweep) in ml.LpCam().SweepThresholds(scored, new[] { "Cam", "LpCamF", "LpCam" }, "Label", "GroundTruth"))
{
    Console.WriteLine($"{maps,-7} best t {sweep.BestThreshold:F2}: mIoU {sweep.Best.MeanIoU:P1}, FP {sweep.Best.FalsePositive:P1}, FN {sweep.Best.FalseNegative:P1}, precision {sweep.Best.Precision:P1}, recall {sweep.Best.Recall:P1}");
}

// 3. A fresh context loads the zip with plain Model.Load (no registration), and a PredictionEngine segments one image.
var fresh = new MLContext();
var loaded = fresh.Model.Load(modelPath, out _);
var engine = fresh.Model.CreatePredictionEngine<ImageRow, SeedPrediction>(loaded);
var prediction = engine.Predict(rows[0]);
var present = prediction.SeedMask.Where(v => v > 0).Distinct().Select(v => classes[v - 1]);
Console.WriteLine($"{Path.GetFileName(rows[0].ImagePath)}: seed pixels for {string.Join(", ", present)}; " +
    $"top score {classes[Array.IndexOf(prediction.Scores, prediction.Scores.Max())]} {prediction.Scores.Max():F2}");

/// <summary>One training image: its file, its image-level labels and, for evaluation, its mask at the model size.</summary>
internal sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
    [VectorType(20)] public float[] Label { get; set; } = Array.Empty<float>();
    [VectorType(Size * Size)] public byte[] GroundTruth { get; set; } = Array.Empty<byte>();
    private const int Size = 448;
}

/// <summary>What the pipeline predicts for one image.</summary>
internal sealed class SeedPrediction
{
    [VectorType(1, 20)] public float[] Scores { get; set; } = Array.Empty<float>();
    [VectorType(1, 448, 448)] public byte[] SeedMask { get; set; } = Array.Empty<byte>();
}
