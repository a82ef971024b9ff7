using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Estimators;

/// <summary>Class names carried as the slot names of a column (CamFeaturizer's scores), the ML.NET convention.</summary>
internal static class ClassNameSlots
{
    /// <summary>The annotation kind ML.NET reads slot names from.</summary>
    public const string Kind = "SlotNames";

    /// <summary>The slot names of <paramref name="column"/> when it has <paramref name="count"/> of them; else null.</summary>
    public static IReadOnlyList<string>? Read(DataViewSchema.Column column, int count)
    {
        if (column.Annotations.Schema.GetColumnOrNull(Kind) is not { Type: VectorDataViewType { Size: var size } } || size != count) return null;
        VBuffer<ReadOnlyMemory<char>> names = default;
        column.Annotations.GetValue(Kind, ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }
}
