using System.Buffers.Binary;
using System.Text;
using LpCam.MLNet.Reporting;
using LpCam.MLNet.Tests.Engine.Interop;

namespace LpCam.MLNet.Tests.Reporting;

public sealed class IrnNpyTests : IDisposable
{
    // numpy 1.24.2: np.save(f, {"keys": np.array([2, 14]),
    //     "cam": np.array([.25, .5, 1, 0, .125, .75, .375, .625], 'f4').reshape(2, 2, 2),
    //     "high_res": np.arange(60, dtype='f4').reshape(2, 5, 6) / 60}) (base64).
    private const string NumpySaved = "k05VTVBZAQB2AHsnZGVzY3InOiAnfE8nLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAA2NudW1weS5jb3JlLm11bHRpYXJyYXkKX3JlY29uc3RydWN0CnEAY251bXB5Cm5kYXJyYXkKcQFLAIVxAkMBYnEDh3EEUnEFKEsBKWNudW1weQpkdHlwZQpxBlgCAAAATzhxB4mIh3EIUnEJKEsDWAEAAAB8cQpOTk5K/////0r/////Sz90cQtiiV1xDH1xDShYBAAAAGtleXNxDmgAaAFLAIVxD2gDh3EQUnERKEsBSwKFcRJoBlgCAAAAaThxE4mIh3EUUnEVKEsDWAEAAAA8cRZOTk5K/////0r/////SwB0cRdiiUMQAgAAAAAAAAAOAAAAAAAAAHEYdHEZYlgDAAAAY2FtcRpoAGgBSwCFcRtoA4dxHFJxHShLAUsCSwJLAodxHmgGWAIAAABmNHEfiYiHcSBScSEoSwNoFk5OTkr/////Sv////9LAHRxImKJQyAAAIA+AAAAPwAAgD8AAAAAAAAAPgAAQD8AAMA+AAAgP3EjdHEkYlgIAAAAaGlnaF9yZXNxJWgAaAFLAIVxJmgDh3EnUnEoKEsBSwJLBUsGh3EpaCGJQ/AAAAAAiYiIPImICD3NzEw9iYiIPauqqj3NzMw97+7uPYmICD6amRk+q6oqPry7Oz7NzEw+3t1dPu/ubj4AAIA+iYiIPhERkT6amZk+IiKiPquqqj4zM7M+vLu7PkRExD7NzMw+VVXVPt7d3T5mZuY+7+7uPnd39z4AAAA/REQEP4mICD/NzAw/ERERP1VVFT+amRk/3t0dPyIiIj9mZiY/q6oqP+/uLj8zMzM/d3c3P7y7Oz8AAEA/REREP4mISD/NzEw/ERFRP1VVVT+amVk/3t1dPyIiYj9mZmY/q6pqP+/ubj8zM3M/d3d3P7y7ez9xKnRxK2J1YXRxLGIu";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] Ours() => IrnNpy.Encode(new[] { 3, 15 },
        Enumerable.Range(0, 60).Select(i => i / 60f).ToArray(), 5, 6, new[] { 0.25f, 0.5f, 1f, 0f, 0.125f, 0.75f, 0.375f, 0.625f });

    [Fact]
    public void Header_is_numpys_for_a_0d_object_array()
    {
        var numpy = Convert.FromBase64String(NumpySaved);
        var ours = Ours();
        Assert.Equal(numpy[..128], ours[..128]);
        Assert.Equal("{'descr': '|O', 'fortran_order': False, 'shape': (), }", Encoding.ASCII.GetString(ours, 10, 54));
    }

    [Fact]
    public void Pickle_unpickles_to_the_same_objects_as_numpys()
    {
        var numpy = MiniUnpickler.Load(Convert.FromBase64String(NumpySaved).AsSpan(128));
        var ours = MiniUnpickler.Load(Ours().AsSpan(128));
        Assert.Equal(MiniUnpickler.Show(numpy), MiniUnpickler.Show(ours));

        // The object array's single element is the dict of the three arrays.
        var array = Assert.IsType<MiniUnpickler.Call>(ours);
        Assert.Equal("numpy.core.multiarray._reconstruct", Assert.IsType<MiniUnpickler.Global>(array.Callable).Name);
        var state = Assert.IsType<object?[]>(array.State);
        var dict = Assert.IsType<Dictionary<string, object?>>(Assert.Single(Assert.IsType<List<object?>>(state[4])));
        Assert.Equal(new[] { "keys", "cam", "high_res" }, dict.Keys);
        var keys = (object?[])((MiniUnpickler.Call)dict["keys"]!).State!;
        Assert.Equal(new object[] { 2 }, (object?[])keys[1]!);
        Assert.Equal(new long[] { 2, 14 }, MemoryMarshalCast<long>((byte[])keys[4]!));
        var highRes = (object?[])((MiniUnpickler.Call)dict["high_res"]!).State!;
        Assert.Equal(new object[] { 2, 5, 6 }, (object?[])highRes[1]!);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => i / 60f), MemoryMarshalCast<float>((byte[])highRes[4]!));
    }

    [Fact]
    public void Strided_maps_default_to_the_high_res_maps_resized_to_irns_strided_size()
    {
        Assert.Equal((94, 125), IrnNpy.StridedSize(375, 500));
        Assert.Equal((1, 1), IrnNpy.StridedSize(3, 4));
        var highRes = Enumerable.Repeat(0.75f, 2 * 9 * 10).ToArray();
        var path = _folder.File("2007_000032.npy");
        IrnNpy.Write(path, new[] { 1, 20 }, highRes, 9, 10);
        var root = (MiniUnpickler.Call)MiniUnpickler.Load(File.ReadAllBytes(path).AsSpan(128))!;
        var dict = (Dictionary<string, object?>)((List<object?>)((object?[])root.State!)[4]!)[0]!;
        var cam = (object?[])((MiniUnpickler.Call)dict["cam"]!).State!;
        Assert.Equal(new object[] { 2, 3, 3 }, (object?[])cam[1]!);
        Assert.All(MemoryMarshalCast<float>((byte[])cam[4]!), v => Assert.Equal(0.75f, v));
        var keys = (object?[])((MiniUnpickler.Call)dict["keys"]!).State!;
        Assert.Equal(new long[] { 0, 19 }, MemoryMarshalCast<long>((byte[])keys[4]!));
    }

    [Fact]
    public void Bad_shapes_and_labels_are_refused()
    {
        Assert.Throws<ArgumentException>(() => IrnNpy.Encode(new[] { 1 }, new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => IrnNpy.Encode(new[] { 0 }, new float[6], 2, 3));
        Assert.Throws<ArgumentException>(() => IrnNpy.Encode(new[] { 1 }, new float[6], 2, 3, new float[2]));
    }

    private static T[] MemoryMarshalCast<T>(byte[] bytes) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();
}

/// <summary>Interprets the pickle opcodes numpy uses for arrays into plain objects (no code is run).</summary>
internal static class MiniUnpickler
{
    public sealed record Global(string Name);

    public sealed class Call(object? callable, object?[] args)
    {
        public object? Callable { get; } = callable;

        public object?[] Args { get; } = args;

        public object? State { get; set; }
    }

    private sealed class Mark;

    public static object? Load(ReadOnlySpan<byte> p)
    {
        var stack = new List<object?>();
        var memo = new Dictionary<int, object?>();
        int at = 0;
        object?[] PopMark()
        {
            int m = stack.FindLastIndex(o => o is Mark);
            var items = stack.Skip(m + 1).ToArray();
            stack.RemoveRange(m, stack.Count - m);
            return items;
        }
        object? Pop()
        {
            var o = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return o;
        }
        while (true)
        {
            byte op = p[at++];
            switch ((char)op)
            {
                case '\x80': at++; break; // PROTO
                case 'c':
                {
                    int nl1 = p[at..].IndexOf((byte)'\n');
                    string module = Encoding.ASCII.GetString(p.Slice(at, nl1));
                    at += nl1 + 1;
                    int nl2 = p[at..].IndexOf((byte)'\n');
                    string name = Encoding.ASCII.GetString(p.Slice(at, nl2));
                    at += nl2 + 1;
                    stack.Add(new Global(module + "." + name));
                    break;
                }
                case 'q': memo[p[at++]] = stack[^1]; break; // BINPUT
                case 'r': memo[BinaryPrimitives.ReadInt32LittleEndian(p[at..])] = stack[^1]; at += 4; break;
                case 'h': stack.Add(memo[p[at++]]); break; // BINGET
                case 'j': stack.Add(memo[BinaryPrimitives.ReadInt32LittleEndian(p[at..])]); at += 4; break;
                case 'K': stack.Add((int)p[at++]); break;
                case 'M': stack.Add((int)BinaryPrimitives.ReadUInt16LittleEndian(p[at..])); at += 2; break;
                case 'J': stack.Add(BinaryPrimitives.ReadInt32LittleEndian(p[at..])); at += 4; break;
                case 'N': stack.Add(null); break;
                case '\x88': stack.Add(true); break;
                case '\x89': stack.Add(false); break;
                case ')': stack.Add(Array.Empty<object?>()); break;
                case ']': stack.Add(new List<object?>()); break;
                case '}': stack.Add(new Dictionary<string, object?>()); break;
                case '(': stack.Add(new Mark()); break;
                case '\x85': stack.Add(new[] { Pop() }); break;
                case '\x86': { var b = Pop(); var a = Pop(); stack.Add(new[] { a, b }); break; }
                case '\x87': { var c = Pop(); var b = Pop(); var a = Pop(); stack.Add(new[] { a, b, c }); break; }
                case 't': stack.Add(PopMark()); break;
                case 'X':
                {
                    int n = BinaryPrimitives.ReadInt32LittleEndian(p[at..]);
                    stack.Add(Encoding.UTF8.GetString(p.Slice(at + 4, n)));
                    at += 4 + n;
                    break;
                }
                case 'C': { int n = p[at]; stack.Add(p.Slice(at + 1, n).ToArray()); at += 1 + n; break; }
                case 'B':
                {
                    int n = BinaryPrimitives.ReadInt32LittleEndian(p[at..]);
                    stack.Add(p.Slice(at + 4, n).ToArray());
                    at += 4 + n;
                    break;
                }
                case 'R': { var args = (object?[])Pop()!; var f = Pop(); stack.Add(new Call(f, args)); break; }
                case 'b': { var state = Pop(); ((Call)stack[^1]!).State = state; break; }
                case 'a': { var item = Pop(); ((List<object?>)stack[^1]!).Add(item); break; }
                case 'u':
                {
                    var items = PopMark();
                    var d = (Dictionary<string, object?>)stack[^1]!;
                    for (int i = 0; i < items.Length; i += 2)
                        d[(string)items[i]!] = items[i + 1];
                    break;
                }
                case '.': return Assert.Single(stack);
                default: throw new InvalidDataException($"Unexpected opcode 0x{op:x2} at {at - 1}.");
            }
        }
    }

    /// <summary>A canonical text of an unpickled tree, for comparing two pickles.</summary>
    public static string Show(object? o) => o switch
    {
        null => "None",
        Global g => g.Name,
        Call c => $"{Show(c.Callable)}({string.Join(", ", c.Args.Select(Show))}){{{Show(c.State)}}}",
        object?[] t => "(" + string.Join(", ", t.Select(Show)) + ")",
        List<object?> l => "[" + string.Join(", ", l.Select(Show)) + "]",
        Dictionary<string, object?> d => "{" + string.Join(", ", d.Select(kv => $"'{kv.Key}': {Show(kv.Value)}")) + "}",
        byte[] b => "b'" + Convert.ToHexString(b) + "'",
        string s => "'" + s + "'",
        bool b => b ? "True" : "False",
        _ => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture)!,
    };
}
