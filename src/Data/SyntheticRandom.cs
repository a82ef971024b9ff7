namespace LpCam.MLNet.Data;

/// <summary>
/// SplitMix64: a tiny generator whose output is fixed by its algorithm (System.Random's sequence is not a documented
/// contract), so generated scenes are the same on every platform and runtime.
/// </summary>
internal sealed class SyntheticRandom
{
    private ulong _state;

    public SyntheticRandom(int seed, int stream) => _state = (ulong)(uint)seed << 32 ^ (uint)stream ^ 0x9E3779B97F4A7C15UL;

    public ulong NextUInt64()
    {
        unchecked
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [min, max] (both inclusive).</summary>
    public int Next(int min, int max) => max <= min ? min : min + (int)(NextUInt64() % (ulong)(max - min + 1));

    /// <summary>A salt for <see cref="Hash"/>-based textures.</summary>
    public uint NextSalt() => (uint)NextUInt64();

    /// <summary>A fixed integer hash of a pixel position and a salt (texture noise without a generator's state).</summary>
    public static uint Hash(int x, int y, uint salt)
    {
        unchecked
        {
            uint h = (uint)x * 374761393u + (uint)y * 668265263u + salt * 2246822519u;
            h = (h ^ (h >> 13)) * 1274126177u;
            return h ^ (h >> 16);
        }
    }

    /// <summary>Noise in [-amplitude, amplitude] at a pixel.</summary>
    public static int Noise(int x, int y, uint salt, int amplitude) =>
        amplitude <= 0 ? 0 : (int)(Hash(x, y, salt) % (uint)(2 * amplitude + 1)) - amplitude;
}
