using LpCam.MLNet.Engine.Interop;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The per-image map files of a run, as numpy .npz archives ("keys": the image's class indices, "cam": float32
/// [k, ceil(H/4), ceil(W/4)] stride-4 maps as IRN's, "size": the original [H, W]); features are in <see cref="FeatureFiles"/>.
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

    public static (int[] Keys, float[] Maps, int H4, int W4, int Height, int Width) ReadMaps(string path)
    {
        var arrays = Npz.Read(path);
        var cam = arrays["cam"];
        var size = arrays["size"].AsInt32();
        return (arrays["keys"].AsInt32(), cam.AsFloat32(), cam.Shape[1], cam.Shape[2], size[0], size[1]);
    }
}
