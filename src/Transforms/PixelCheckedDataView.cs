using LpCam.MLNet.Estimators;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace LpCam.MLNet.Transforms;

/// <summary>
/// A view of CamFeaturizer's input whose pixel column checks each value as it is read: a NaN, an infinity or a value
/// outside <see cref="PixelRange"/> is an <see cref="InvalidDataException"/> (<see cref="BadPixels"/>) naming the column,
/// the row (its index in the source), the value and its (channel, y, x). The ONNX graph reads the pixels only to compute
/// a row's outputs, so the check is lazy: it runs when a row's features, scores or CAM are read (or its pixels
/// themselves). Other columns pass through unchecked.
/// </summary>
internal sealed class PixelCheckedDataView : IDataView
{
    private readonly IDataView _source;
    private readonly string _pixels;
    private readonly int _height, _width;

    public PixelCheckedDataView(IDataView source, string pixelsColumn, int height, int width)
    {
        _source = source;
        _pixels = pixelsColumn;
        (_height, _width) = (height, width);
    }

    public DataViewSchema Schema => _source.Schema;

    public bool CanShuffle => _source.CanShuffle;

    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, _source.GetRowCursor(columnsNeeded, rand));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        _source.GetRowCursorSet(columnsNeeded, n, rand).Select(c => (DataViewRowCursor)new Cursor(this, c)).ToArray();

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly PixelCheckedDataView _view;
        private readonly DataViewRowCursor _inner;

        public Cursor(PixelCheckedDataView view, DataViewRowCursor inner)
        {
            _view = view;
            _inner = inner;
        }

        public override DataViewSchema Schema => _inner.Schema;

        public override long Position => _inner.Position;

        public override long Batch => _inner.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _inner.IsColumnActive(column);

        public override bool MoveNext() => _inner.MoveNext();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var getter = _inner.GetGetter<TValue>(column);
            if (column.Name != _view._pixels || column.Index != _view.Schema[_view._pixels].Index || getter is not ValueGetter<VBuffer<float>> pixels)
                return getter;
            ValueGetter<VBuffer<float>> checkedGetter = (ref VBuffer<float> value) =>
            {
                pixels(ref value);
                Check(value);
            };
            return (ValueGetter<TValue>)(Delegate)checkedGetter;
        }

        private void Check(in VBuffer<float> value)
        {
            var values = value.IsDense ? value.GetValues() : value.DenseValues().ToArray();
            int bad = PixelRange.FirstRejected(values);
            if (bad >= 0)
                throw BadPixels.Create(PixelRange.Describe(Row(), _view._pixels, values, bad, _view._height, _view._width) +
                    " CamFeaturizer refuses the row rather than return NaN or meaningless features, scores and maps.");
        }

        /// <summary>
        /// The row's index in its source: the row id of ML.NET's loaders (the index, also after a filter; cursor positions
        /// restart per cursor when ML.NET reads with parallel cursors), or the cursor position when the id is no index.
        /// </summary>
        private long Row()
        {
            try
            {
                DataViewRowId id = default;
                _inner.GetIdGetter()(ref id);
                if (id.High == 0 && id.Low <= long.MaxValue) return (long)id.Low;
            }
            catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException)
            {
            }
            return _inner.Position;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
