using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Estimators;

/// <summary>
/// Schema checks with ML.NET's own two sentences ("Could not find input column", "Schema mismatch for input column"),
/// since its Contracts helpers are internal.
/// </summary>
internal static class SchemaChecks
{
    public static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
    {
        var column = schema.GetColumnOrNull(name);
        if (column is null)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{name}' ({role}). Available columns: {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}.");
        return column.Value;
    }

    public static SchemaShape.Column Find(SchemaShape schema, string name, string role)
    {
        foreach (var column in schema)
            if (column.Name == name) return column;
        throw new ArgumentOutOfRangeException(nameof(schema), $"Could not find input column '{name}' ({role}).");
    }

    public static Exception Mismatch(string name, string role, string expected, string actual) =>
        new ArgumentOutOfRangeException("inputSchema", $"Schema mismatch for input column '{name}' ({role}): expected {expected}, got {actual}.");

    /// <summary>A known-size vector of <paramref name="itemType"/>; returns its dimensions.</summary>
    public static VectorDataViewType KnownSizeVector(DataViewSchema.Column column, DataViewType itemType, string role, string expected)
    {
        if (column.Type is not VectorDataViewType vector || !vector.ItemType.Equals(itemType))
            throw Mismatch(column.Name, role, expected, column.Type.ToString() ?? "?");
        if (!vector.IsKnownSize)
            throw Mismatch(column.Name, role, expected, $"a vector of unknown size ({column.Type}); resize images to a fixed size first");
        return vector;
    }

    public static void Vector(SchemaShape.Column column, DataViewType itemType, string role, string expected)
    {
        if (column.Kind != SchemaShape.Column.VectorKind.Vector || !column.ItemType.Equals(itemType))
            throw Mismatch(column.Name, role, expected, $"{column.Kind} of {column.ItemType}");
    }

    /// <summary>The trailing (height, width) of a vector type's dimensions [.., C, H, W] whose product is C x H x W.</summary>
    public static (int Height, int Width) MapSize(VectorDataViewType vector, int classCount, string name, string role)
    {
        var dims = vector.Dimensions;
        if (dims.Length >= 3 && dims[^3] == classCount && vector.Size == classCount * dims[^2] * dims[^1])
            return (dims[^2], dims[^1]);
        throw Mismatch(name, role, $"a vector with dimensions [.., {classCount}, H, W] (one map per class)", $"dimensions [{string.Join(", ", dims)}]");
    }
}
