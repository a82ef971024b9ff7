using LpCam.MLNet.Evaluation;

namespace LpCam.Cli.Pipeline;

/// <summary>A map file's stride-4 maps brought back to the image size (bilinear, align_corners = false, as the engine resizes).</summary>
internal static class FullResolutionMaps
{
    /// <summary>Reads a map file and brings its maps to the image size.</summary>
    public static (int[] Keys, float[] Maps, int Height, int Width) Read(string path) => Upsample(MapFiles.ReadMaps(path));

    /// <summary>Maps already read (<see cref="MapFiles.ReadMaps"/>) brought to the image size.</summary>
    public static (int[] Keys, float[] Maps, int Height, int Width) Upsample((int[] Keys, float[] Maps, int H4, int W4, int Height, int Width) strided)
    {
        var (keys, maps, h4, w4, height, width) = strided;
        return (keys, StrideFourMaps.MapsToImageSize(maps, h4, w4, height, width), height, width);
    }

    /// <summary>The labels of the maps in a seed mask: class index + 1.</summary>
    public static int[] Labels(int[] keys) => keys.Select(k => k + 1).ToArray();
}
