using LpCam.MLNet.Engine.Interop;

namespace LpCam.Cli.Pipeline;

/// <summary>One image's cached features: every scale and flip packed as CamFeaturizer's Features column.</summary>
/// <param name="Packed">The packed features (<see cref="LpCam.MLNet.Estimators.FeatureColumnLayout"/>).</param>
/// <param name="FeatureSize">(h, w) of each block scale.</param>
/// <param name="D">Channels.</param>
/// <param name="Height">The original image height.</param>
/// <param name="Width">The original image width.</param>
internal sealed record ImageFeatures(float[] Packed, float[] FeatureSize, int D, int Height, int Width)
{
    /// <summary>The scale-1 features of the image [D, h, w] (what the head and the prototypes are fitted on).</summary>
    public (float[] F, int H, int W) ScaleOne => LpCam.MLNet.Onnx.PackedFeatureExtractor.ScaleOne(Packed, FeatureSize, D);
}

/// <summary>
/// features/NAME.npz: the backbone features of every inference scale and flip of one image, packed as CamFeaturizer's
/// Features column ("features", float32), with "feature_size" ((h, w) per block scale), "dim" (D) and "size" (the original
/// [H, W]), so the backbone runs once per image for the whole run. Stored uncompressed.
/// </summary>
internal static class FeatureFiles
{
    /// <summary>Writes an image's features atomically.</summary>
    public static void Write(string path, ImageFeatures f)
    {
        Npz.Write(path, new KeyValuePair<string, NpyArray>[]
        {
            new("features", NpyArray.Create(f.Packed, f.Packed.Length)),
            new("feature_size", NpyArray.Create(f.FeatureSize, f.FeatureSize.Length)),
            new("dim", NpyArray.Create(new[] { f.D }, 1)),
            new("size", NpyArray.Create(new[] { f.Height, f.Width }, 2)),
        });
    }

    /// <summary>
    /// Reads an image's packed features into <paramref name="buffer"/> (grown when too small, reused otherwise) and returns
    /// the shape of its scale-1 block, which comes first: fit-prototypes gathers rows with it without allocating per image.
    /// </summary>
    /// <exception cref="InvalidDataException">An array is missing or the scale-1 block holds NaN (the message names the file).</exception>
    public static (int D, int H, int W) ReadScale1(string path, ref float[] buffer)
    {
        var small = Npz.Read(MapFiles.Existing(path, "train-cam"), new HashSet<string>(StringComparer.Ordinal) { "feature_size", "dim" });
        var dim = MapFiles.Array(small, path, "dim", rank: 1).AsInt32();
        var sizes = MapFiles.Array(small, path, "feature_size", rank: 1).AsFloat32();
        if (dim.Length != 1 || dim[0] < 1 || sizes.Length < 2) throw MapFiles.Bad(path, "'dim' or 'feature_size' is not a channel count and (h, w) pairs");
        var shape = Npz.ReadFloat32(path, "features", ref buffer);
        var (d, h, w) = (dim[0], (int)sizes[0], (int)sizes[1]);
        if (shape.Length != 1 || shape[0] < (long)d * h * w) throw MapFiles.Bad(path, $"'features' holds fewer values than its scale-1 block of {d} x {h} x {w}");
        MapFiles.Finite(buffer.AsSpan(0, d * h * w), path, "features");
        return (d, h, w);
    }

    /// <summary>Reads an image's features whole and checks them against the run's block count.</summary>
    /// <exception cref="InvalidDataException">The file lacks an array, has inconsistent sizes or holds NaN (the message names it).</exception>
    /// <exception cref="CliException">The file is missing (train-cam makes it).</exception>
    public static ImageFeatures Read(string path, int blockScales, bool flip)
    {
        var arrays = Npz.Read(MapFiles.Existing(path, "train-cam"));
        var size = MapFiles.Size(arrays, path);
        var dim = MapFiles.Array(arrays, path, "dim", rank: 1);
        int d = dim.Shape[0] == 1 ? dim.AsInt32()[0] : 0;
        if (d < 1) throw MapFiles.Bad(path, "'dim' is not one positive channel count");
        var sizes = MapFiles.Array(arrays, path, "feature_size", rank: 1).AsFloat32();
        if (sizes.Length != 2 * blockScales || sizes.Any(v => !(v >= 1 && v == MathF.Round(v))))
            throw MapFiles.Bad(path, $"'feature_size' holds [{string.Join(", ", sizes)}]; expected {blockScales} (h, w) pairs of whole numbers");
        var features = MapFiles.Array(arrays, path, "features", rank: 1);
        long expected = 0;
        for (int b = 0; b < blockScales; b++) expected += (flip ? 2L : 1L) * d * (long)sizes[2 * b] * (long)sizes[2 * b + 1];
        if (features.Shape[0] != expected)
            throw MapFiles.Bad(path, $"'features' has {features.Shape[0]} values; expected {expected} for D = {d} and the sizes in 'feature_size'");
        return new ImageFeatures(MapFiles.Finite(features.AsFloat32(), path, "features"), sizes, d, size[0], size[1]);
    }
}
