namespace LpCam.MLNet.Engine.Interop;

/// <summary>The element types of <c>.npy</c> arrays this library reads and writes (always little-endian, C order).</summary>
public enum NpyDType
{
    /// <summary>32-bit float, numpy <c>'&lt;f4'</c>; .NET <see cref="float"/>.</summary>
    Float32,

    /// <summary>64-bit float, numpy <c>'&lt;f8'</c> (numpy's default float); .NET <see cref="double"/>.</summary>
    Float64,

    /// <summary>32-bit signed integer, numpy <c>'&lt;i4'</c>; .NET <see cref="int"/>.</summary>
    Int32,

    /// <summary>64-bit signed integer, numpy <c>'&lt;i8'</c> (numpy's default integer on Linux); .NET <see cref="long"/>.</summary>
    Int64,

    /// <summary>8-bit unsigned integer, numpy <c>'|u1'</c>; .NET <see cref="byte"/> (masks).</summary>
    UInt8,

    /// <summary>Fixed-width Unicode text, numpy <c>'&lt;U<i>n</i>'</c> (UTF-32, padded with NUL); .NET <see cref="string"/>.</summary>
    Unicode,
}
