using System.Globalization;

namespace LpCam.Cli;

/// <summary>A small "--name value" / "--flag" parser: the command's options, each read once and checked by name.</summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CliArgs(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null) _values[pending] = null;
                pending = arg[2..];
                int eq = pending.IndexOf('=');
                if (eq >= 0) { _values[pending[..eq]] = pending[(eq + 1)..]; pending = null; }
            }
            else if (pending is not null) { _values[pending] = arg; pending = null; }
            else throw new CliException($"unexpected argument '{arg}'; options are written --name value.");
        }
        if (pending is not null) _values[pending] = null;
    }

    public string? String(string name, string? fallback = null)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v)) return fallback;
        return v ?? throw new CliException($"option --{name} needs a value.");
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v)) return false;
        return v is null || v is "true" or "1" or "yes" ? true : v is "false" or "0" or "no" ? false : throw new CliException($"option --{name} is a flag; got '{v}'.");
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) throw new CliException($"option --{name} expects a whole number; got '{s}'.");
        if (v < min) throw new CliException($"option --{name} is {v}; expected at least {min}.");
        if (v > max) throw new CliException($"option --{name} is {v}; expected at most {max}.");
        return v;
    }

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var s = String(name);
        if (s is null) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new CliException($"option --{name} expects a number; got '{s}'.");
        if (v < min || v > max) throw new CliException($"option --{name} is {v}; expected a value in [{min}, {max}].");
        return v;
    }

    /// <summary>Throws for options that no part of the command read (typos).</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new CliException($"unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))}; run 'lpcam help'.");
    }
}

/// <summary>A usage or input error, printed without a stack trace.</summary>
internal sealed class CliException(string message) : Exception(message);
