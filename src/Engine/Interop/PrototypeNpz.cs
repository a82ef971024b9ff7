using System.Globalization;
using LpCam.MLNet.Engine.Prototypes;

namespace LpCam.MLNet.Engine.Interop;

/// <summary>
/// Saves and loads a <see cref="PrototypeSet"/> as an <c>.npz</c> archive that numpy reads with <c>np.load</c> (layout in
/// docs/interchange.md): typed, portable and free of pickles, unlike the reference code's files.
/// </summary>
/// <remarks>
/// Arrays: <c>lpcam_prototypes_version</c> (int32, 0-d, 1), <c>feature_dim</c> and <c>class_count</c> (int32, 0-d); for
/// each object class i (two digits, zero-based, background not included): <c>class_{i:D2}_fg</c> float32 [k_f, D],
/// <c>class_{i:D2}_fg_scores</c> float32 [k_f], <c>class_{i:D2}_bg</c> float32 [k_b, D] (k_b may be 0) and
/// <c>class_{i:D2}_bg_scores</c> float32 [k_b]; optionally <c>class_names</c> (numpy unicode, [class_count]).
/// Reading ignores arrays it does not know.
/// </remarks>
public static class PrototypeNpz
{
    /// <summary>The layout version written in <c>lpcam_prototypes_version</c>.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes <paramref name="set"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The archive to create or replace (usually <c>*.npz</c>).</param>
    /// <param name="set">The prototypes.</param>
    /// <param name="classNames">Optional names of the object classes (no background), one per class.</param>
    /// <param name="compress">Deflate the entries.</param>
    /// <exception cref="ArgumentException">The names do not match the class count, or one holds NUL.</exception>
    public static void Write(string path, PrototypeSet set, IReadOnlyList<string>? classNames = null, bool compress = false) =>
        Npz.Write(path, Arrays(set, classNames), compress);

    /// <summary>The archive of <paramref name="set"/> as bytes (deflated), for embedding (a model's metadata).</summary>
    internal static byte[] ToBytes(PrototypeSet set, IReadOnlyList<string>? classNames = null) => Npz.ToBytes(Arrays(set, classNames), compress: true);

    /// <summary>Reads an archive held in memory; <paramref name="source"/> names it in error messages.</summary>
    internal static PrototypeSet FromBytes(byte[] bytes, string source)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return FromArrays(Npz.Read(stream, source), source, out _);
    }

    private static List<KeyValuePair<string, NpyArray>> Arrays(PrototypeSet set, IReadOnlyList<string>? classNames)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (classNames is not null && classNames.Count != set.ClassCount)
            throw new ArgumentException($"{classNames.Count} class names were given for {set.ClassCount} classes; expected one per object class (no background).", nameof(classNames));
        int d = set.FeatureDim;
        var arrays = new List<KeyValuePair<string, NpyArray>>
        {
            new("lpcam_prototypes_version", NpyArray.Create(new[] { FormatVersion })),
            new("feature_dim", NpyArray.Create(new[] { d })),
            new("class_count", NpyArray.Create(new[] { set.ClassCount })),
        };
        foreach (var c in set.Classes)
        {
            string key = Key(c.ClassIndex);
            arrays.Add(new(key + "_fg", NpyArray.Create(Flatten(c.ClassCentres, d), c.ClassCentres.Length, d)));
            arrays.Add(new(key + "_fg_scores", NpyArray.Create((float[])c.ClassScores.Clone(), c.ClassScores.Length)));
            arrays.Add(new(key + "_bg", NpyArray.Create(Flatten(c.ContextCentres, d), c.ContextCentres.Length, d)));
            arrays.Add(new(key + "_bg_scores", NpyArray.Create((float[])c.ContextScores.Clone(), c.ContextScores.Length)));
        }
        if (classNames is not null)
            arrays.Add(new("class_names", NpyArray.Create(classNames.ToArray(), classNames.Count)));
        return arrays;
    }

    /// <summary>Reads a prototype archive.</summary>
    /// <exception cref="InvalidDataException">The file is not a prototype archive of a known version, or an array is missing
    /// or of the wrong type or shape; the message names the file and the array.</exception>
    public static PrototypeSet Read(string path) => Read(path, out _);

    /// <summary>Reads a prototype archive and the class names it holds (null when it holds none).</summary>
    /// <inheritdoc cref="Read(string)"/>
    public static PrototypeSet Read(string path, out IReadOnlyList<string>? classNames) => FromArrays(Npz.Read(path), path, out classNames);

    private static PrototypeSet FromArrays(IReadOnlyDictionary<string, NpyArray> arrays, string path, out IReadOnlyList<string>? classNames)
    {
        int version = Scalar(arrays, "lpcam_prototypes_version", path);
        if (version != FormatVersion)
            throw new InvalidDataException($"'{path}' is a prototype archive of version {version}; this library reads version {FormatVersion}.");
        int d = Scalar(arrays, "feature_dim", path);
        int count = Scalar(arrays, "class_count", path);
        var classes = new ClassPrototypes[count];
        for (int i = 0; i < count; i++)
        {
            string key = Key(i);
            var fg = Matrix(arrays, key + "_fg", d, path);
            var fgScores = Vector(arrays, key + "_fg_scores", fg.Length, path);
            var bg = Matrix(arrays, key + "_bg", d, path);
            var bgScores = Vector(arrays, key + "_bg_scores", bg.Length, path);
            classes[i] = new ClassPrototypes(i, fg, fgScores, bg, bgScores);
        }
        classNames = null;
        if (arrays.TryGetValue("class_names", out var names))
        {
            if (names.DType != NpyDType.Unicode || names.Shape.Count != 1 || names.Length != count)
                throw Bad(path, "class_names", $"expected numpy unicode of shape ({count},), found '{names.Descr}' {names.ShapeText}");
            classNames = names.AsText();
        }
        try
        {
            return new PrototypeSet(d, classes);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}' does not hold a valid prototype set: {e.Message}", e);
        }
    }

    private static string Key(int classIndex) => "class_" + classIndex.ToString("D2", CultureInfo.InvariantCulture);

    private static float[] Flatten(float[][] rows, int d)
    {
        var flat = new float[rows.Length * d];
        for (int r = 0; r < rows.Length; r++)
            rows[r].CopyTo(flat, r * d);
        return flat;
    }

    private static NpyArray Get(IReadOnlyDictionary<string, NpyArray> arrays, string name, string path) =>
        arrays.TryGetValue(name, out var a) ? a : throw Bad(path, name, "it is missing");

    private static int Scalar(IReadOnlyDictionary<string, NpyArray> arrays, string name, string path)
    {
        var a = Get(arrays, name, path);
        long value = a.DType switch
        {
            NpyDType.Int32 when a.Length == 1 => a.AsInt32()[0],
            NpyDType.Int64 when a.Length == 1 => a.AsInt64()[0],
            _ => throw Bad(path, name, $"expected one int32 or int64 value, found '{a.Descr}' {a.ShapeText}"),
        };
        if (value is < 0 or > int.MaxValue)
            throw Bad(path, name, $"the value {value} is out of range");
        return (int)value;
    }

    private static float[][] Matrix(IReadOnlyDictionary<string, NpyArray> arrays, string name, int d, string path)
    {
        var a = Get(arrays, name, path);
        if (a.DType != NpyDType.Float32 || a.Shape.Count != 2 || a.Shape[1] != d)
            throw Bad(path, name, $"expected float32 ('<f4') of shape (k, {d}), found '{a.Descr}' {a.ShapeText}");
        var flat = a.AsFloat32();
        var rows = new float[a.Shape[0]][];
        for (int r = 0; r < rows.Length; r++)
            rows[r] = flat.AsSpan(r * d, d).ToArray();
        return rows;
    }

    private static float[] Vector(IReadOnlyDictionary<string, NpyArray> arrays, string name, int length, string path)
    {
        var a = Get(arrays, name, path);
        if (a.DType != NpyDType.Float32 || a.Shape.Count != 1 || a.Shape[0] != length)
            throw Bad(path, name, $"expected float32 ('<f4') of shape ({length},), found '{a.Descr}' {a.ShapeText}");
        return a.AsFloat32();
    }

    private static InvalidDataException Bad(string path, string name, string what) =>
        new($"'{path}': array '{name}': {what}.");
}
