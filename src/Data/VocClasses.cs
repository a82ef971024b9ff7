namespace LpCam.MLNet.Data;

/// <summary>The 20 PASCAL VOC object classes.</summary>
public static class VocClasses
{
    /// <summary>The class names in label order: class id c is mask label c + 1.</summary>
    public static IReadOnlyList<string> Names { get; } = new[]
    {
        "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow", "diningtable", "dog", "horse",
        "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
    };
}
