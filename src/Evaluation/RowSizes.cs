using LpCam.MLNet.Estimators;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Evaluation;

/// <summary>Reads a row's map size (h, w) and image size (H, W) columns for the evaluator, checking them.</summary>
internal sealed class RowSizes
{
    private readonly string? _mapSize;
    private readonly string? _imageSize;
    private ValueGetter<VBuffer<float>>? _getMapSize;
    private ValueGetter<VBuffer<float>>? _getImageSize;

    public RowSizes(DataViewSchema schema, string? mapSizeColumnName, string? imageSizeColumnName)
    {
        var columns = new List<DataViewSchema.Column>();
        foreach (var (name, role) in new[] { (mapSizeColumnName, "map size"), (imageSizeColumnName, "image size") })
        {
            if (name is null) continue;
            var vector = SchemaChecks.KnownSizeVector(SchemaChecks.Find(schema, name, role), NumberDataViewType.Single, role, "a known-size vector of 2 Single");
            if (vector.Size != 2) throw SchemaChecks.Mismatch(name, role, "2 values (height, width)", $"{vector.Size} values");
            columns.Add(schema[name]);
        }
        (_mapSize, _imageSize, Columns) = (mapSizeColumnName, imageSizeColumnName, columns);
    }

    /// <summary>The size columns to activate.</summary>
    public IReadOnlyList<DataViewSchema.Column> Columns { get; }

    /// <summary>Takes the getters of the cursor.</summary>
    public void Bind(DataViewRowCursor cursor)
    {
        if (_mapSize is not null) _getMapSize = cursor.GetGetter<VBuffer<float>>(cursor.Schema[_mapSize]);
        if (_imageSize is not null) _getImageSize = cursor.GetGetter<VBuffer<float>>(cursor.Schema[_imageSize]);
    }

    /// <summary>The row's map size.</summary>
    public (int Height, int Width) MapSize(long row) => Pair(_getMapSize!, _mapSize!, row);

    /// <summary>The row's map and image sizes, when <paramref name="what"/> (<paramref name="small"/> values) must be brought to the ground truth's <paramref name="large"/> pixels.</summary>
    public (int H, int W, int Height, int Width) Read(long row, long small, long large, string what, string groundTruth)
    {
        if (_getMapSize is null || _getImageSize is null)
            throw new InvalidDataException($"Row {row}: {what} has {small} values but ground truth '{groundTruth}' has {large} pixels; " +
                "give the map-size and image-size columns (CamFeaturizer's MapSize and the ImageSize input) to bring them to one size.");
        var (h, w) = MapSize(row);
        var (height, width) = Pair(_getImageSize, _imageSize!, row);
        if (small % ((long)h * w) != 0 || (long)height * width != large)
            throw new InvalidDataException($"Row {row}: {what} ({small} values, map size {h} x {w}) and ground truth '{groundTruth}' ({large} pixels, image size {height} x {width}) do not match their sizes.");
        return (h, w, height, width);
    }

    private static (int, int) Pair(ValueGetter<VBuffer<float>> getter, string name, long row)
    {
        VBuffer<float> v = default;
        getter(ref v);
        var values = v.DenseValues().ToArray();
        if (values.Length != 2 || values.Any(x => !(x >= 1 && x == MathF.Round(x))))
            throw new InvalidDataException($"Row {row}: size column '{name}' holds [{string.Join(", ", values)}]; expected two whole numbers of at least 1.");
        return ((int)values[0], (int)values[1]);
    }
}
