using System.Globalization;
using LpCam.MLNet.Engine.Interop;

namespace LpCam.Cli.Pipeline;

/// <summary>The backbone features of one image at one inference scale: the image's map and its flip's (still flipped).</summary>
/// <param name="Scale">The scale factor.</param>
/// <param name="F">D x H x W values, C order.</param>
/// <param name="FFlip">The flipped image's map (not un-flipped), or null without flip.</param>
/// <param name="H">Rows of the map.</param>
/// <param name="W">Columns of the map.</param>
internal sealed record ScaleFeatureMaps(double Scale, float[] F, float[]? FFlip, int H, int W);

/// <summary>
/// features/NAME.npz: the backbone features of every inference scale of one image, so the backbone runs once per image
/// and scale for the whole run. Scale 1 is "f" and "f_flip" (as train-cam always wrote them); another scale s is
/// "f_x{s}" and "f_flip_x{s}" (s in invariant culture, e.g. f_x0.5); "size" is the original [H, W]. float32, stored.
/// </summary>
internal static class FeatureFiles
{
    /// <summary>The array name of a scale's features (or of its flip's).</summary>
    public static string Key(double scale, bool flipped) =>
        (flipped ? "f_flip" : "f") + (scale == 1.0 ? "" : "_x" + scale.ToString("R", CultureInfo.InvariantCulture));

    /// <summary>The scales a run caches: 1.0 first (train-cam and fit-prototypes use it), then the other --scales in order.</summary>
    public static IReadOnlyList<double> CachedScales(IReadOnlyList<double> scales) =>
        scales.Where(s => s != 1.0).Prepend(1.0).ToList();

    /// <summary>Writes the features of every scale atomically.</summary>
    public static void Write(string path, IReadOnlyList<ScaleFeatureMaps> scales, int d, int height, int width)
    {
        var arrays = new List<KeyValuePair<string, NpyArray>>();
        foreach (var s in scales)
        {
            arrays.Add(new(Key(s.Scale, false), NpyArray.Create(s.F, d, s.H, s.W)));
            if (s.Scale == 1.0) arrays.Add(new("size", NpyArray.Create(new[] { height, width }, 2)));
            if (s.FFlip is not null) arrays.Add(new(Key(s.Scale, true), NpyArray.Create(s.FFlip, d, s.H, s.W)));
        }
        Npz.Write(path, arrays);
    }

    /// <summary>
    /// Reads the scale-1, un-flipped features into <paramref name="buffer"/> (grown only when too small), so that reading
    /// many files leaves no large-object garbage; the values are its first D x H x W elements.
    /// </summary>
    /// <exception cref="InvalidDataException">The array is missing, not [D, h, w] or holds NaN (the message names it).</exception>
    /// <exception cref="CliException">The file is missing (train-cam makes it).</exception>
    public static (int D, int H, int W) ReadScale1(string path, ref float[] buffer)
    {
        string key = Key(1.0, false);
        var shape = Npz.ReadFloat32(MapFiles.Existing(path, "train-cam"), key, ref buffer);
        if (shape.Length != 3) throw MapFiles.Bad(path, $"'{key}' has {shape.Length} dimensions; expected 3 ([D, h, w])");
        MapFiles.Finite(buffer.AsSpan(0, shape[0] * shape[1] * shape[2]), path, key);
        return (shape[0], shape[1], shape[2]);
    }

    /// <summary>
    /// Reads the features of <paramref name="scales"/> (with their flips when <paramref name="flip"/>) in that order; the
    /// other arrays of the file are skipped unread.
    /// </summary>
    /// <exception cref="InvalidDataException">The file lacks a scale, has inconsistent shapes or holds NaN (the message names it).</exception>
    /// <exception cref="CliException">The file is missing (train-cam makes it).</exception>
    public static (IReadOnlyList<ScaleFeatureMaps> Scales, int D, int Height, int Width) Read(string path, IReadOnlyList<double> scales, bool flip)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal) { "size" };
        foreach (var s in scales)
        {
            wanted.Add(Key(s, false));
            if (flip) wanted.Add(Key(s, true));
        }
        var arrays = Npz.Read(MapFiles.Existing(path, "train-cam"), wanted);
        var size = MapFiles.Size(arrays, path);
        int d = 0;
        var list = new List<ScaleFeatureMaps>(scales.Count);
        foreach (var s in scales)
        {
            var f = MapFiles.Array(arrays, path, Key(s, false), rank: 3);
            if (d != 0 && f.Shape[0] != d) throw MapFiles.Bad(path, $"'{Key(s, false)}' has shape {f.ShapeText}; expected [D, h, w] with one D");
            d = f.Shape[0];
            float[]? flipped = null;
            if (flip)
            {
                var ff = MapFiles.Array(arrays, path, Key(s, true), rank: 3);
                if (!ff.Shape.SequenceEqual(f.Shape)) throw MapFiles.Bad(path, $"'{Key(s, true)}' has shape {ff.ShapeText}; expected that of '{Key(s, false)}'");
                flipped = MapFiles.Finite(ff.AsFloat32(), path, Key(s, true));
            }
            list.Add(new ScaleFeatureMaps(s, MapFiles.Finite(f.AsFloat32(), path, Key(s, false)), flipped, f.Shape[1], f.Shape[2]));
        }
        return (list, d, size[0], size[1]);
    }
}
