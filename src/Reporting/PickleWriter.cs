using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace LpCam.MLNet.Reporting;

/// <summary>
/// Writes the few Python pickle (protocol 3) opcodes needed to pickle a dict of numpy arrays the way numpy itself does
/// (<c>ndarray.__reduce__</c>): no memo, so every object is written in full.
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _out = new();

    /// <summary>Starts a protocol-3 pickle.</summary>
    public PickleWriter()
    {
        _out.WriteByte(0x80); // PROTO
        _out.WriteByte(3);
    }

    /// <summary>The finished pickle (STOP appended).</summary>
    public byte[] ToArray()
    {
        _out.WriteByte((byte)'.'); // STOP
        return _out.ToArray();
    }

    public void Mark() => _out.WriteByte((byte)'(');

    public void None() => _out.WriteByte((byte)'N');

    public void Bool(bool value) => _out.WriteByte(value ? (byte)0x88 : (byte)0x89); // NEWTRUE, NEWFALSE

    public void EmptyTuple() => _out.WriteByte((byte)')');

    public void EmptyList() => _out.WriteByte((byte)']');

    public void EmptyDict() => _out.WriteByte((byte)'}');

    public void Append() => _out.WriteByte((byte)'a');

    public void SetItems() => _out.WriteByte((byte)'u');

    public void Reduce() => _out.WriteByte((byte)'R');

    public void Build() => _out.WriteByte((byte)'b');

    /// <summary>Makes a tuple of the last <paramref name="count"/> items, or of the items since the mark when there are more than 3.</summary>
    public void Tuple(int count)
    {
        switch (count)
        {
            case 0: EmptyTuple(); break;
            case 1: _out.WriteByte(0x85); break; // TUPLE1
            case 2: _out.WriteByte(0x86); break; // TUPLE2
            case 3: _out.WriteByte(0x87); break; // TUPLE3
            default: _out.WriteByte((byte)'t'); break; // TUPLE (from the mark)
        }
    }

    /// <summary>A module attribute: GLOBAL 'module\nname\n'.</summary>
    public void Global(string module, string name)
    {
        _out.WriteByte((byte)'c');
        _out.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
    }

    /// <summary>An int as Python's pickler writes it: BININT1, BININT2 or BININT.</summary>
    public void Int(int value)
    {
        Span<byte> b = stackalloc byte[4];
        if (value is >= 0 and < 256)
        {
            _out.WriteByte((byte)'K');
            _out.WriteByte((byte)value);
        }
        else if (value is >= 0 and < 65536)
        {
            _out.WriteByte((byte)'M');
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
            _out.Write(b[..2]);
        }
        else
        {
            _out.WriteByte((byte)'J');
            BinaryPrimitives.WriteInt32LittleEndian(b, value);
            _out.Write(b);
        }
    }

    /// <summary>A str: BINUNICODE (UTF-8, 4-byte length).</summary>
    public void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        _out.WriteByte((byte)'X');
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        _out.Write(length);
        _out.Write(bytes);
    }

    /// <summary>A bytes object: SHORT_BINBYTES below 256 bytes, else BINBYTES.</summary>
    public void Bytes(ReadOnlySpan<byte> value)
    {
        if (value.Length < 256)
        {
            _out.WriteByte((byte)'C');
            _out.WriteByte((byte)value.Length);
        }
        else
        {
            _out.WriteByte((byte)'B');
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, value.Length);
            _out.Write(length);
        }
        _out.Write(value);
    }

    /// <summary>A numpy dtype as <c>dtype.__reduce__</c> gives it: <c>numpy.dtype(code, False, True)</c> with the state
    /// <c>(3, byteOrder, None, None, None, -1, -1, flags)</c>.</summary>
    public void DType(string code, string byteOrder, int flags)
    {
        Global("numpy", "dtype");
        String(code);
        Bool(false);
        Bool(true);
        Tuple(3);
        Reduce();
        Mark();
        Int(3);
        String(byteOrder);
        None();
        None();
        None();
        Int(-1);
        Int(-1);
        Int(flags);
        Tuple(8);
        Build();
    }

    /// <summary>Starts an ndarray as <c>ndarray.__reduce__</c> gives it: <c>_reconstruct(ndarray, (0,), b'b')</c>; the caller
    /// then writes the state tuple (version 1, shape, dtype, Fortran order, data) and calls <see cref="Build"/>.</summary>
    public void ArrayStart()
    {
        Global("numpy.core.multiarray", "_reconstruct");
        Global("numpy", "ndarray");
        Int(0);
        Tuple(1);
        Bytes("b"u8);
        Tuple(3);
        Reduce();
    }

    /// <summary>A C-order little-endian numeric ndarray.</summary>
    public void Array<T>(ReadOnlySpan<T> data, ReadOnlySpan<int> shape, string code) where T : unmanaged
    {
        ArrayStart();
        Mark();
        Int(1);
        Shape(shape);
        DType(code, "<", 0);
        Bool(false);
        if (BitConverter.IsLittleEndian)
            Bytes(MemoryMarshal.AsBytes(data));
        else
            throw new PlatformNotSupportedException("Writing numpy pickles needs a little-endian machine.");
        Tuple(5);
        Build();
    }

    private void Shape(ReadOnlySpan<int> shape)
    {
        if (shape.Length > 3)
            Mark();
        foreach (int d in shape)
            Int(d);
        Tuple(shape.Length);
    }
}
