using LpCam.MLNet.Engine.Metrics;
using LpCam.MLNet.Engine.Seeds;
using LpCam.MLNet.Estimators;
using Microsoft.ML;
using Microsoft.ML.Data;
using ConfusionMatrix = LpCam.MLNet.Engine.Metrics.ConfusionMatrix;

namespace LpCam.MLNet.Evaluation;

/// <summary>
/// Scores seed masks against ground-truth masks with the paper's Table 1 metrics (mIoU over background + C classes;
/// FP, FN, precision and recall averaged over the C object classes; pixels labelled 255 ignored), or sweeps the seed
/// threshold over class maps. Reads the columns of an <see cref="IDataView"/> and calls the engine's confusion matrix.
/// </summary>
public static class SeedMaskEvaluator
{
    /// <summary>
    /// Scores a seed-mask column against a ground-truth column. Seeds of another size than the ground truth (stride 4,
    /// CamFeaturizer's) are brought to it with <see cref="StrideFourMaps.SeedsToImageSize"/>, which needs their size
    /// (<paramref name="mapSizeColumnName"/>) and the image's (<paramref name="imageSizeColumnName"/>).
    /// </summary>
    /// <param name="data">Rows with the columns.</param>
    /// <param name="seedColumnName">Seed masks: vectors of <see cref="byte"/> (0 = background, c + 1 = class c).</param>
    /// <param name="groundTruthColumnName">Ground truth: vectors of <see cref="byte"/> of the image size, 255 = ignore.</param>
    /// <param name="classCount">C, object classes (labels 1..C).</param>
    /// <param name="classNames">Object class names for the report; optional.</param>
    /// <param name="mapSizeColumnName">The seeds' (h, w) [2]; optional when seeds and ground truth have one size.</param>
    /// <param name="imageSizeColumnName">The image's (H, W) [2]; optional when seeds and ground truth have one size.</param>
    public static SegmentationMetrics Evaluate(IDataView data, string seedColumnName, string groundTruthColumnName, int classCount,
        IReadOnlyList<string>? classNames = null, string? mapSizeColumnName = null, string? imageSizeColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 1);
        var seed = ByteVector(data.Schema, seedColumnName, "seed masks");
        var truth = ByteVector(data.Schema, groundTruthColumnName, "ground truth");
        var sizes = new RowSizes(data.Schema, mapSizeColumnName, imageSizeColumnName);
        var matrix = new ConfusionMatrix(classCount + 1);
        using var cursor = data.GetRowCursor(sizes.Columns.Append(seed).Append(truth));
        sizes.Bind(cursor);
        var getSeed = cursor.GetGetter<VBuffer<byte>>(seed);
        var getTruth = cursor.GetGetter<VBuffer<byte>>(truth);
        VBuffer<byte> s = default, t = default;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            getSeed(ref s);
            getTruth(ref t);
            var seeds = s.DenseValues().ToArray();
            if (s.Length != t.Length)
            {
                var (h, w, height, width) = sizes.Read(row, s.Length, t.Length, $"seed mask '{seedColumnName}'", groundTruthColumnName);
                seeds = StrideFourMaps.SeedsToImageSize(seeds, h, w, height, width);
            }
            matrix.Add(seeds, t.DenseValues().ToArray());
        }
        return SegmentationMetrics.From(matrix, WithBackground(classNames));
    }

    /// <summary>
    /// Makes seeds from a maps column at every threshold of <paramref name="thresholds"/> (one pass) and scores them.
    /// </summary>
    /// <param name="data">Rows with the columns.</param>
    /// <param name="mapsColumnName">Class maps [.., C, h, w].</param>
    /// <param name="labelColumnName">Multi-hot float labels [C]: the classes seeds are made for.</param>
    /// <param name="groundTruthColumnName">Ground truth: byte vectors of the image size, 255 = ignore.</param>
    /// <param name="thresholds">Background thresholds; null for 0.05, 0.10, ..., 0.95.</param>
    /// <param name="classNames">Object class names; optional.</param>
    /// <param name="mapSizeColumnName">The maps' (h, w) [2]; null when the maps are a known-size [.., C, h, w] vector.</param>
    /// <param name="imageSizeColumnName">The image's (H, W) [2], when the ground truth is larger than the maps.</param>
    public static ThresholdSweepResult Sweep(IDataView data, string mapsColumnName, string labelColumnName, string groundTruthColumnName,
        IReadOnlyList<float>? thresholds = null, IReadOnlyList<string>? classNames = null, string? mapSizeColumnName = null, string? imageSizeColumnName = null) =>
        Sweep(data, new[] { mapsColumnName }, labelColumnName, groundTruthColumnName, thresholds, classNames, mapSizeColumnName, imageSizeColumnName)[mapsColumnName];

    /// <summary>
    /// The threshold sweep of several maps columns (for example CAM, LPCAM-F and LPCAM) in one pass over the data, so the
    /// pipeline upstream runs once. Maps smaller than the ground truth (stride 4) are brought to its size with
    /// <see cref="StrideFourMaps.MapsToImageSize"/> first, as the CLI does.
    /// </summary>
    /// <returns>The sweep of each maps column, by column name.</returns>
    public static IReadOnlyDictionary<string, ThresholdSweepResult> Sweep(IDataView data, IReadOnlyList<string> mapsColumnNames, string labelColumnName,
        string groundTruthColumnName, IReadOnlyList<float>? thresholds = null, IReadOnlyList<string>? classNames = null,
        string? mapSizeColumnName = null, string? imageSizeColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(mapsColumnNames);
        var labelsColumn = SchemaChecks.Find(data.Schema, labelColumnName, "labels");
        var labels = SchemaChecks.KnownSizeVector(labelsColumn, NumberDataViewType.Single, "labels", "a known-size vector of Single (multi-hot)");
        int c = labels.Size;
        var mapsColumns = new List<DataViewSchema.Column>();
        (int, int)? fixedSize = null;
        foreach (var name in mapsColumnNames)
        {
            var column = SchemaChecks.Find(data.Schema, name, "maps");
            if (mapSizeColumnName is null)
            {
                var size = SchemaChecks.MapSize(SchemaChecks.KnownSizeVector(column, NumberDataViewType.Single, "maps",
                    $"a known-size vector of Single [.., {c}, H, W], or maps with a map-size column"), c, name, "maps");
                if (fixedSize is { } first && first != size)
                    throw SchemaChecks.Mismatch(name, "maps", $"maps of {first.Item1} x {first.Item2} like '{mapsColumns[0].Name}'", $"{size.Height} x {size.Width}");
                fixedSize = size;
            }
            else if (column.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Single))
                throw SchemaChecks.Mismatch(name, "maps", "a vector of Single", column.Type.ToString() ?? "?");
            mapsColumns.Add(column);
        }
        var truth = ByteVector(data.Schema, groundTruthColumnName, "ground truth");
        var sizes = new RowSizes(data.Schema, mapSizeColumnName, imageSizeColumnName);
        var sweeps = mapsColumns.Select(_ => new ThresholdSweep(c + 1, thresholds)).ToList();
        using var cursor = data.GetRowCursor(mapsColumns.Append(labelsColumn).Append(truth).Concat(sizes.Columns));
        sizes.Bind(cursor);
        var getLabels = cursor.GetGetter<VBuffer<float>>(labelsColumn);
        var getMaps = mapsColumns.Select(m => cursor.GetGetter<VBuffer<float>>(m)).ToList();
        var getTruth = cursor.GetGetter<VBuffer<byte>>(truth);
        VBuffer<float> l = default, m = default;
        VBuffer<byte> t = default;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            getLabels(ref l);
            getTruth(ref t);
            var (h, w) = fixedSize ?? sizes.MapSize(row);
            int plane = h * w;
            int height = h, width = w;
            if (t.Length != plane) (_, _, height, width) = sizes.Read(row, plane, t.Length, $"maps '{mapsColumns[0].Name}'", groundTruthColumnName);
            var gt = t.DenseValues().ToArray();
            var present = l.DenseValues().Select((v, i) => (v, i)).Where(p => p.v > 0.5f).Select(p => p.i).ToList();
            var classLabels = present.Select(i => i + 1).ToList();
            for (int k = 0; k < getMaps.Count; k++)
            {
                getMaps[k](ref m);
                if (m.Length != (long)c * plane)
                    throw new InvalidDataException($"Row {row}: maps '{mapsColumns[k].Name}' hold {m.Length} values; expected {c} x {h} x {w}.");
                var all = m.DenseValues().ToArray();
                var selected = new float[present.Count * plane];
                for (int j = 0; j < present.Count; j++) Array.Copy(all, present[j] * plane, selected, j * plane, plane);
                if (plane != height * width) selected = StrideFourMaps.MapsToImageSize(selected, h, w, height, width);
                sweeps[k].Add(selected, height, width, classLabels, gt);
            }
        }
        var names = WithBackground(classNames);
        return mapsColumnNames.Select((name, k) => (name, k)).ToDictionary(p => p.name, p => sweeps[p.k].Summarize(names));
    }

    private static IReadOnlyList<string>? WithBackground(IReadOnlyList<string>? classNames) =>
        classNames is null ? null : classNames.Prepend("background").ToList();

    private static DataViewSchema.Column ByteVector(DataViewSchema schema, string name, string role)
    {
        var column = SchemaChecks.Find(schema, name, role);
        if (column.Type is not VectorDataViewType { ItemType: var item } || !item.Equals(NumberDataViewType.Byte))
            throw SchemaChecks.Mismatch(name, role, "a vector of Byte", column.Type.ToString() ?? "?");
        return column;
    }
}
