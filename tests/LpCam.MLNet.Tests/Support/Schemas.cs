using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Tests.Support;

/// <summary>Test helpers for schemas. ML.NET keeps SchemaShape.Create internal; tests reach it by reflection (the library never does).</summary>
public static class Schemas
{
    public static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static)!
            .Invoke(null, new object[] { schema })!;

    public static SchemaShape.Column Column(SchemaShape shape, string name) => shape.Single(c => c.Name == name);

    public static DataViewType ItemType(DataViewType type) => type is VectorDataViewType v ? v.ItemType : type;
}
