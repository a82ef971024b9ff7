using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Transforms;

/// <summary>
/// A view of CamFeaturizer's output that brings a pixel refusal to the surface: ML.NET computes rows on worker threads and
/// wraps their exceptions ("Splitter/consolidator worker encountered exception..."); this view rethrows any exception that
/// holds a pixel refusal (<see cref="BadPixels"/>) as an <see cref="InvalidDataException"/> with that message (the
/// original as inner).
/// Values and rows are the source's.
/// </summary>
internal sealed class BadPixelsSurfacingDataView : IDataView
{
    private readonly IDataView _source;

    public BadPixelsSurfacingDataView(IDataView source) => _source = source;

    public DataViewSchema Schema => _source.Schema;

    public bool CanShuffle => _source.CanShuffle;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(Surface(() => _source.GetRowCursor(columnsNeeded, rand)));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        Surface(() => _source.GetRowCursorSet(columnsNeeded, n, rand)).Select(c => (DataViewRowCursor)new Cursor(c)).ToArray();

    private static T Surface<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (!BadPixels.IsMarked(e) && BadPixels.Find(e) is { } bad)
        {
            throw BadPixels.Create(bad.Message, e);
        }
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataViewRowCursor _inner;

        public Cursor(DataViewRowCursor inner) => _inner = inner;

        public override DataViewSchema Schema => _inner.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _inner.IsColumnActive(column);

        public override bool MoveNext() => Surface(_inner.MoveNext);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var getter = _inner.GetGetter<TValue>(column);
            return (ref TValue value) =>
            {
                try
                {
                    getter(ref value);
                }
                catch (Exception e) when (!BadPixels.IsMarked(e) && BadPixels.Find(e) is { } bad)
                {
                    throw BadPixels.Create(bad.Message, e);
                }
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
