using LpCam.MLNet.Engine.Interop;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The per-image files of a run, as numpy .npz archives: features (scale 1: "f" [D, h, w] and "f_flip" of the flipped
/// image, still flipped) and maps ("keys": the image's class indices, "cam": float32 [k, ceil(H/4), ceil(W/4)] stride-4
/// maps as IRN's, "size": the original [H, W]).
/// </summary>
internal static class MapFiles
{
    public static void WriteFeatures(string path, float[] f, float[]? fFlip, int d, int h, int w, int height, int width)
    {
        var arrays = new List<KeyValuePair<string, NpyArray>>
        {
            new("f", NpyArray.Create(f, d, h, w)),
            new("size", NpyArray.Create(new[] { height, width }, 2)),
        };
        if (fFlip is not null) arrays.Add(new("f_flip", NpyArray.Create(fFlip, d, h, w)));
        Npz.Write(path, arrays);
    }

    public static (float[] F, float[]? FFlip, int D, int H, int W, int Height, int Width) ReadFeatures(string path)
    {
        var arrays = Npz.Read(path);
        var f = arrays["f"];
        var size = arrays["size"].AsInt32();
        return (f.AsFloat32(), arrays.TryGetValue("f_flip", out var ff) ? ff.AsFloat32() : null, f.Shape[0], f.Shape[1], f.Shape[2], size[0], size[1]);
    }

    public static void WriteMaps(string path, IReadOnlyList<int> keys, float[] maps, int h4, int w4, int height, int width) =>
        Npz.Write(path, new KeyValuePair<string, NpyArray>[]
        {
            new("keys", NpyArray.Create(keys.ToArray(), keys.Count)),
            new("cam", NpyArray.Create(maps, keys.Count, h4, w4)),
            new("size", NpyArray.Create(new[] { height, width }, 2)),
        });

    public static (int[] Keys, float[] Maps, int H4, int W4, int Height, int Width) ReadMaps(string path)
    {
        var arrays = Npz.Read(path);
        var cam = arrays["cam"];
        var size = arrays["size"].AsInt32();
        return (arrays["keys"].AsInt32(), cam.AsFloat32(), cam.Shape[1], cam.Shape[2], size[0], size[1]);
    }
}
