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
    /// <summary>Scores a seed-mask column against a ground-truth column of the same size.</summary>
    /// <param name="data">Rows with both columns.</param>
    /// <param name="seedColumnName">Seed masks: vectors of <see cref="byte"/> (0 = background, c + 1 = class c).</param>
    /// <param name="groundTruthColumnName">Ground truth: vectors of <see cref="byte"/> of the same length, 255 = ignore.</param>
    /// <param name="classCount">C, object classes (labels 1..C).</param>
    /// <param name="classNames">Object class names for the report; optional.</param>
    public static SegmentationMetrics Evaluate(IDataView data, string seedColumnName, string groundTruthColumnName, int classCount,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var seed = ByteVector(data.Schema, seedColumnName, "seed masks");
        var truth = ByteVector(data.Schema, groundTruthColumnName, "ground truth");
        var matrix = new ConfusionMatrix(classCount + 1);
        using var cursor = data.GetRowCursor(new[] { seed, truth });
        var getSeed = cursor.GetGetter<VBuffer<byte>>(seed);
        var getTruth = cursor.GetGetter<VBuffer<byte>>(truth);
        VBuffer<byte> s = default, t = default;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            getSeed(ref s);
            getTruth(ref t);
            if (s.Length != t.Length)
                throw new InvalidDataException($"Row {row}: seed mask '{seedColumnName}' has {s.Length} pixels but ground truth '{groundTruthColumnName}' has {t.Length}; expected masks of one size.");
            matrix.Add(s.DenseValues().ToArray(), t.DenseValues().ToArray());
        }
        return SegmentationMetrics.From(matrix, WithBackground(classNames));
    }

    /// <summary>
    /// Makes seeds from a maps column at every threshold of <paramref name="thresholds"/> (one pass) and scores them.
    /// </summary>
    /// <param name="data">Rows with the three columns.</param>
    /// <param name="mapsColumnName">Class maps: known-size float vectors [.., C, H, W].</param>
    /// <param name="labelColumnName">Multi-hot float labels [C]: the classes seeds are made for.</param>
    /// <param name="groundTruthColumnName">Ground truth: byte vectors of H x W, 255 = ignore.</param>
    /// <param name="thresholds">Background thresholds; null for 0.05, 0.10, ..., 0.95.</param>
    /// <param name="classNames">Object class names; optional.</param>
    public static ThresholdSweepResult Sweep(IDataView data, string mapsColumnName, string labelColumnName, string groundTruthColumnName,
        IReadOnlyList<float>? thresholds = null, IReadOnlyList<string>? classNames = null) =>
        Sweep(data, new[] { mapsColumnName }, labelColumnName, groundTruthColumnName, thresholds, classNames)[mapsColumnName];

    /// <summary>
    /// The threshold sweep of several maps columns (for example CAM, LPCAM-F and LPCAM) in one pass over the data, so the
    /// pipeline upstream runs once.
    /// </summary>
    /// <returns>The sweep of each maps column, by column name.</returns>
    public static IReadOnlyDictionary<string, ThresholdSweepResult> Sweep(IDataView data, IReadOnlyList<string> mapsColumnNames, string labelColumnName,
        string groundTruthColumnName, IReadOnlyList<float>? thresholds = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(mapsColumnNames);
        var labelsColumn = SchemaChecks.Find(data.Schema, labelColumnName, "labels");
        var labels = SchemaChecks.KnownSizeVector(labelsColumn, NumberDataViewType.Single, "labels", "a known-size vector of Single (multi-hot)");
        int c = labels.Size;
        var mapsColumns = new List<DataViewSchema.Column>();
        int h = 0, w = 0;
        foreach (var name in mapsColumnNames)
        {
            var column = SchemaChecks.Find(data.Schema, name, "maps");
            var (mh, mw) = SchemaChecks.MapSize(SchemaChecks.KnownSizeVector(column, NumberDataViewType.Single, "maps", $"a known-size vector of Single [.., {c}, H, W]"), c, name, "maps");
            if (mapsColumns.Count > 0 && (mh, mw) != (h, w))
                throw SchemaChecks.Mismatch(name, "maps", $"maps of {h} x {w} like '{mapsColumns[0].Name}'", $"{mh} x {mw}");
            (h, w) = (mh, mw);
            mapsColumns.Add(column);
        }
        var truth = ByteVector(data.Schema, groundTruthColumnName, "ground truth");
        var sweeps = mapsColumns.Select(_ => new ThresholdSweep(c + 1, thresholds)).ToList();
        using var cursor = data.GetRowCursor(mapsColumns.Append(labelsColumn).Append(truth));
        var getLabels = cursor.GetGetter<VBuffer<float>>(labelsColumn);
        var getMaps = mapsColumns.Select(m => cursor.GetGetter<VBuffer<float>>(m)).ToList();
        var getTruth = cursor.GetGetter<VBuffer<byte>>(truth);
        VBuffer<float> l = default, m = default;
        VBuffer<byte> t = default;
        int plane = h * w;
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            getLabels(ref l);
            getTruth(ref t);
            if (t.Length != plane)
                throw new InvalidDataException($"Row {row}: ground truth '{groundTruthColumnName}' has {t.Length} pixels; expected {h} x {w} = {plane} like the maps.");
            var gt = t.DenseValues().ToArray();
            var present = l.DenseValues().Select((v, i) => (v, i)).Where(p => p.v > 0.5f).Select(p => p.i).ToList();
            var classLabels = present.Select(i => i + 1).ToList();
            for (int k = 0; k < getMaps.Count; k++)
            {
                getMaps[k](ref m);
                var all = m.DenseValues().ToArray();
                var selected = new float[present.Count * plane];
                for (int j = 0; j < present.Count; j++) Array.Copy(all, present[j] * plane, selected, j * plane, plane);
                sweeps[k].Add(selected, h, w, classLabels, gt);
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
