using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Transforms;

/// <summary>
/// A view of another <see cref="IDataView"/> whose schema carries extra annotations on some columns (values and rows are
/// the source's). CamFeaturizer uses it to hand its classifier weights to LocalPrototypeEstimator through the pipeline.
/// </summary>
internal sealed class AnnotatedDataView : IDataView
{
    private readonly IDataView _source;

    public AnnotatedDataView(IDataView source, string column, string annotation, DataViewType type, Delegate getter)
        : this(source, Annotate(source.Schema, column, annotation, type, getter))
    {
    }

    /// <summary>A view of <paramref name="source"/> with <paramref name="schema"/>: the source's schema with annotations added.</summary>
    public AnnotatedDataView(IDataView source, DataViewSchema schema)
    {
        _source = source;
        Schema = schema;
    }

    public DataViewSchema Schema { get; }

    public bool CanShuffle => _source.CanShuffle;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(_source.GetRowCursor(Map(columnsNeeded), rand), Schema);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _source.GetRowCursorSet(Map(columnsNeeded), n, rand).Select(c => (DataViewRowCursor)new Cursor(c, Schema)).ToArray();

    /// <summary>The schema with <paramref name="annotation"/> added to the visible column <paramref name="column"/>.</summary>
    public static DataViewSchema Annotate(DataViewSchema schema, string column, string annotation, DataViewType type, Delegate getter)
    {
        var builder = new DataViewSchema.Builder();
        int target = schema.GetColumnOrNull(column)?.Index ?? -1;
        foreach (var c in schema)
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            annotations.Add(c.Annotations, _ => true);
            if (c.Index == target)
                typeof(AnnotatedDataView).GetMethod(nameof(AddAnnotation), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
                    .MakeGenericMethod(type.RawType).Invoke(null, new object[] { annotations, annotation, type, getter });
            builder.AddColumn(c.Name, c.Type, annotations.ToAnnotations());
        }
        return builder.ToSchema();
    }

    private static void AddAnnotation<T>(DataViewSchema.Annotations.Builder builder, string name, DataViewType type, Delegate getter) =>
        builder.Add(name, type, (ValueGetter<T>)getter);

    private IEnumerable<DataViewSchema.Column> Map(IEnumerable<DataViewSchema.Column> columns) =>
        columns.Select(c => _source.Schema[c.Index]);

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _inner;

        public Cursor(DataViewRowCursor inner, DataViewSchema schema)
        {
            _inner = inner;
            Schema = schema;
        }

        public override DataViewSchema Schema { get; }

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _inner.GetGetter<TValue>(_inner.Schema[column.Index]);

        public override bool IsColumnActive(DataViewSchema.Column column) => _inner.IsColumnActive(_inner.Schema[column.Index]);

        public override bool MoveNext() => _inner.MoveNext();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
