using System.CommandLine;
using System.CommandLine.Parsing;

namespace LpCam.Cli;

/// <summary>
/// Typed System.CommandLine options with the app's range checks, whose errors read "option --k is 0; expected at least
/// 1." (the parser reports them before any command runs).
/// </summary>
internal static class CliOptions
{
    public static Option<int> Int(string name, int fallback, string description, int min = int.MinValue, int max = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.Validators.Add(r => { if (TryGet(r, out int v)) Range(r, v, min, max, name); });
        return option;
    }

    /// <summary>An optional whole number: null when the option is not given.</summary>
    public static Option<int?> OptionalInt(string name, string description, int min = int.MinValue, int max = int.MaxValue)
    {
        var option = new Option<int?>(name) { Description = description };
        option.Validators.Add(r => { if (TryGet(r, out int? v) && v is int value) Range(r, value, min, max, name); });
        return option;
    }

    public static Option<double> Double(string name, double fallback, string description, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => fallback };
        option.Validators.Add(r =>
        {
            if (!TryGet(r, out double v)) return;
            if (!double.IsFinite(v)) r.AddError($"option {name} is {v}; expected a finite number.");
            else if (v < min || v > max) r.AddError($"option {name} is {v.ToString(System.Globalization.CultureInfo.InvariantCulture)}; expected a value in [{min}, {max}].");
        });
        return option;
    }

    public static Option<string> String(string name, string fallback, string description, params string[] allowed)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => fallback };
        if (allowed.Length > 0) option.Validators.Add(r =>
        {
            string v = r.GetValueOrDefault<string>();
            if (!allowed.Contains(v)) r.AddError($"option {name} is '{v}'; expected {string.Join(" or ", allowed)}.");
        });
        return option;
    }

    /// <summary>An optional text: null when the option is not given.</summary>
    public static Option<string?> OptionalString(string name, string description) => new(name) { Description = description };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>The option's value, or false when it did not parse (the parser then reports that itself).</summary>
    private static bool TryGet<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    private static void Range(OptionResult result, int value, int min, int max, string name)
    {
        if (value < min) result.AddError($"option {name} is {value}; expected at least {min}.");
        else if (value > max) result.AddError($"option {name} is {value}; expected at most {max}.");
    }
}
