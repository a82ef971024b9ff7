using System.Runtime.InteropServices;
using LpCam.MLNet.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace LpCam.MLNet.Engine.Prototypes;

/// <summary>
/// A bounded uniform sample of D-dimensional float rows drawn from a stream of unknown length (Vitter's Algorithm R):
/// after any number of rows, every row seen so far is in the sample with the same probability
/// <c>min(1, Capacity / RowsSeen)</c>.
/// </summary>
/// <remarks>
/// <para>Memory is at most <see cref="Capacity"/> x <see cref="Dimension"/> floats, whatever the number of rows seen: the
/// buffer grows with the sample until it reaches the capacity and never beyond it. This is what lets LPCAM fit its
/// prototypes in one streaming pass over a training set of any size (see lpcam-algorithm.md, section 7, "Memory").</para>
/// <para>Randomness comes only from a <see cref="Random"/> seeded by the constructor, so the same rows in the same order
/// with the same seed always give the same sample.</para>
/// </remarks>
public sealed class ReservoirSampler
{
    private readonly Random _random;
    private float[] _buffer;
    private long[]? _keys;

    /// <summary>Creates an empty sampler.</summary>
    /// <param name="dimension">D, the length of every row; at least 1.</param>
    /// <param name="capacity">The most rows kept; at least 1.</param>
    /// <param name="seed">Seed of the sampler's own random generator.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> or <paramref name="capacity"/> is below 1,
    /// or capacity x dimension exceeds the largest .NET array.</exception>
    public ReservoirSampler(int dimension, int capacity, int seed)
    {
        if (dimension < 1)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension was {dimension}; expected at least 1.");
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"capacity was {capacity}; expected at least 1.");
        if ((long)dimension * capacity > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"capacity {capacity} x dimension {dimension} = {(long)dimension * capacity} floats; expected at most {Array.MaxLength} (one .NET array).");
        Dimension = dimension;
        Capacity = capacity;
        _random = new Random(seed);
        _buffer = new float[(long)dimension * Math.Min(capacity, 64)];
    }

    /// <summary>D, the length of every row.</summary>
    public int Dimension { get; }

    /// <summary>The most rows the sample holds.</summary>
    public int Capacity { get; }

    /// <summary>Number of rows offered so far (kept or not).</summary>
    public long RowsSeen { get; private set; }

    /// <summary>Number of rows in the sample: <c>min(Capacity, RowsSeen)</c>.</summary>
    public int Count { get; private set; }

    /// <summary>Floats currently allocated for the sample; never more than <see cref="Capacity"/> x <see cref="Dimension"/>.</summary>
    internal int AllocatedFloats => _buffer.Length;

    /// <summary>Offers one row of <see cref="Dimension"/> values.</summary>
    /// <exception cref="ArgumentException"><paramref name="row"/> does not hold exactly <see cref="Dimension"/> values.</exception>
    public void Add(ReadOnlySpan<float> row)
    {
        if (row.Length != Dimension)
            throw new ArgumentException($"row has {row.Length} values; expected the sampler's dimension {Dimension}.", nameof(row));
        AddOne(row);
    }

    /// <summary>Offers consecutive rows stored back to back (row-major, <c>rows.Length / Dimension</c> rows).</summary>
    /// <exception cref="ArgumentException">The length of <paramref name="rows"/> is not a multiple of <see cref="Dimension"/>.</exception>
    public void AddRows(ReadOnlySpan<float> rows)
    {
        if (rows.Length % Dimension != 0)
            throw new ArgumentException($"rows has {rows.Length} values; expected a multiple of the sampler's dimension {Dimension}.", nameof(rows));
        for (int start = 0; start < rows.Length; start += Dimension)
            AddOne(rows.Slice(start, Dimension));
    }

    /// <summary>The i-th row of the sample (order carries no meaning).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Count"/>.</exception>
    /// <exception cref="InvalidOperationException">The sampler keeps keys only (<see cref="ForKeys"/>).</exception>
    public ReadOnlySpan<float> Row(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"index was {index}; expected 0..{Count - 1}.");
        RequireRows();
        return _buffer.AsSpan(index * Dimension, Dimension);
    }

    /// <summary>Copies the sample into a new row-major array of <see cref="Count"/> x <see cref="Dimension"/> floats.</summary>
    /// <exception cref="InvalidOperationException">The sampler keeps keys only (<see cref="ForKeys"/>).</exception>
    public float[] ToArray()
    {
        RequireRows();
        return _buffer.AsSpan(0, Count * Dimension).ToArray();
    }

    private void RequireRows()
    {
        if (_keys is not null)
            throw new InvalidOperationException("This sampler keeps keys only (ForKeys): read the rows of its Keys back from their source.");
    }

    /// <summary>Copies the sample into a new float32 tensor [<see cref="Count"/>, <see cref="Dimension"/>] on <paramref name="device"/>.</summary>
    /// <remarks>The caller owns the tensor (it joins the caller's dispose scope, if any).</remarks>
    /// <exception cref="InvalidOperationException">The sampler keeps keys only (<see cref="ForKeys"/>).</exception>
    public Tensor ToTensor(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        RequireRows();
        var cpu = empty(Count, Dimension, dtype: ScalarType.Float32);
        _buffer.AsSpan(0, Count * Dimension).CopyTo(MemoryMarshal.Cast<byte, float>(cpu.bytes));
        if (device.type == DeviceType.CPU)
            return cpu;
        using (cpu)
            return cpu.to(device);
    }

    private void AddOne(ReadOnlySpan<float> row)
    {
        if (_keys is not null)
            throw new InvalidOperationException("This sampler keeps keys only (ForKeys): add rows with AddKey.");
        int slot = NextSlot();
        if (slot < 0)
            return;
        EnsureRoom(slot + 1);
        row.CopyTo(_buffer.AsSpan(slot * Dimension, Dimension));
    }

    /// <summary>Counts one more row and returns the slot it takes, or -1 when it is not sampled (Algorithm R).</summary>
    private int NextSlot()
    {
        long seen = RowsSeen++;
        if (seen < Capacity)
            return Count++;
        // Algorithm R: the (seen+1)-th row replaces a uniform slot with probability Capacity / (seen + 1).
        long j = _random.NextInt64(seen + 1);
        return j >= Capacity ? -1 : (int)j;
    }

    /// <summary>
    /// Creates an empty sampler that keeps a caller-chosen key per sampled row (for example image and position) instead
    /// of the row's values: 8 bytes per kept row, so the samples of many classes cost almost nothing until their rows are
    /// needed. It takes exactly the slots a row sampler with the same seed would take for the same stream, so the rows of
    /// <see cref="Keys"/>, read back from their source, are the same sample.
    /// </summary>
    /// <inheritdoc cref="ReservoirSampler(int, int, int)"/>
    public static ReservoirSampler ForKeys(int dimension, int capacity, int seed) =>
        new(dimension, capacity, seed) { _buffer = Array.Empty<float>(), _keys = new long[Math.Min(capacity, 64)] };

    /// <summary>True for a sampler made by <see cref="ForKeys"/>.</summary>
    public bool KeysOnly => _keys is not null;

    /// <summary>The key of every sampled row, in slot order (a <see cref="ForKeys"/> sampler).</summary>
    /// <exception cref="InvalidOperationException">The sampler keeps rows, not keys.</exception>
    public ReadOnlySpan<long> Keys => (_keys ?? throw new InvalidOperationException("This sampler keeps rows, not keys.")).AsSpan(0, Count);

    /// <summary>Offers the key of one more row of the stream (a <see cref="ForKeys"/> sampler).</summary>
    /// <exception cref="InvalidOperationException">The sampler keeps rows, not keys.</exception>
    public void AddKey(long key)
    {
        if (_keys is null)
            throw new InvalidOperationException("This sampler keeps rows: add them with Add.");
        int slot = NextSlot();
        if (slot < 0)
            return;
        if (slot >= _keys.Length)
            Array.Resize(ref _keys, (int)Math.Min(Capacity, Math.Max(slot + 1, 2L * _keys.Length)));
        _keys[slot] = key;
    }

    private void EnsureRoom(int rows)
    {
        long needed = (long)rows * Dimension;
        if (needed <= _buffer.Length)
            return;
        long grown = Math.Min((long)Capacity * Dimension, Math.Max(needed, (long)_buffer.Length * 2));
        Array.Resize(ref _buffer, (int)grown);
    }
}
