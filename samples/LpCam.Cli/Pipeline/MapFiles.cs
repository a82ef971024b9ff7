using LpCam.MLNet.Engine.Interop;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The per-image map files of a run (cam/, lpcam/, lpcam_f/) as numpy .npz archives: "keys" the image's class indices,
/// "cam" float32 [k, ceil(H/4), ceil(W/4)] stride-4 maps as IRN's, "size" the original [H, W]. Features are
/// <see cref="FeatureFiles"/>.
/// </summary>
internal static class MapFiles
{
    public static void WriteMaps(string path, IReadOnlyList<int> keys, float[] maps, int h4, int w4, int height, int width) =>
        Npz.Write(path, new KeyValuePair<string, NpyArray>[]
        {
            new("keys", NpyArray.Create(keys.ToArray(), keys.Count)),
            new("cam", NpyArray.Create(maps, keys.Count, h4, w4)),
            new("size", NpyArray.Create(new[] { height, width }, 2)),
        });

    /// <summary>Reads a maps file, checking that it is whole: keys, maps and size present and consistent, values finite.</summary>
    public static (int[] Keys, float[] Maps, int H4, int W4, int Height, int Width) ReadMaps(string path)
    {
        var arrays = Npz.Read(Existing(path, Path.GetFileName(Path.GetDirectoryName(path)) == "cam" ? "make-cam" : "make-lpcam"));
        var cam = Array(arrays, path, "cam", rank: 3);
        var keys = Array(arrays, path, "keys", rank: 1).AsInt32();
        var size = Size(arrays, path);
        if (cam.Shape[0] != keys.Length) throw Bad(path, $"it has {keys.Length} keys but {cam.Shape[0]} maps");
        var (h4, w4) = LpCam.MLNet.Engine.Features.InferenceScales.Stride4Size(size[0], size[1]);
        if (cam.Shape[1] != h4 || cam.Shape[2] != w4)
            throw Bad(path, $"its maps are {cam.Shape[1]}x{cam.Shape[2]}; expected {h4}x{w4} (stride 4 of {size[0]}x{size[1]})");
        return (keys, Finite(cam.AsFloat32(), path, "cam"), cam.Shape[1], cam.Shape[2], size[0], size[1]);
    }

    /// <summary>The path, or a message naming the step that makes the file when it is missing.</summary>
    internal static string Existing(string path, string step) =>
        File.Exists(path) ? path : throw new CliException($"{path} is missing: run {step} (or run) first.");

    /// <summary>The named array of a file, with the rank expected, or a message naming the file.</summary>
    internal static NpyArray Array(IReadOnlyDictionary<string, NpyArray> arrays, string path, string name, int rank)
    {
        if (!arrays.TryGetValue(name, out var array)) throw Bad(path, $"it has no array '{name}'");
        if (array.Shape.Count != rank) throw Bad(path, $"'{name}' has shape {array.ShapeText}; expected {rank} dimensions");
        return array;
    }

    /// <summary>The file's "size" array: the original [height, width].</summary>
    internal static int[] Size(IReadOnlyDictionary<string, NpyArray> arrays, string path)
    {
        var size = Array(arrays, path, "size", rank: 1).AsInt32();
        if (size.Length != 2 || size[0] < 1 || size[1] < 1) throw Bad(path, "'size' is not [height, width]");
        return size;
    }

    /// <summary>The values, or a message naming the file and array when one is NaN or infinite.</summary>
    internal static float[] Finite(float[] values, string path, string name)
    {
        Finite((ReadOnlySpan<float>)values, path, name);
        return values;
    }

    /// <summary>Throws, naming the file and array, when a value is NaN or infinite.</summary>
    internal static void Finite(ReadOnlySpan<float> values, string path, string name)
    {
        foreach (float v in values)
            if (!float.IsFinite(v)) throw Bad(path, $"'{name}' holds NaN or infinite values");
    }

    /// <summary>"'path': what." as the exception of a file that is not whole.</summary>
    internal static InvalidDataException Bad(string path, string what) => new($"'{path}': {what}.");
}
