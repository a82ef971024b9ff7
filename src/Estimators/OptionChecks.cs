namespace LpCam.MLNet.Estimators;

/// <summary>Option checks at construction whose messages name the option, its value and what was expected.</summary>
internal static class OptionChecks
{
    public static void ColumnName(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"Option {name} is '{value}'; expected a column name.", name);
    }

    public static void NonNegativeFinite(float value, string name)
    {
        if (!float.IsFinite(value) || value < 0)
            throw new ArgumentOutOfRangeException(name, value, $"Option {name} is {value}; expected a finite number >= 0.");
    }

    public static void OpenUnit(double value, string name)
    {
        if (!(value > 0 && value < 1))
            throw new ArgumentOutOfRangeException(name, value, $"Option {name} is {value}; expected a number in (0, 1).");
    }

    public static void Unit(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
            throw new ArgumentOutOfRangeException(name, value, $"Option {name} is {value}; expected a number in [0, 1].");
    }

    public static void AtLeast(int value, int min, string name)
    {
        if (value < min)
            throw new ArgumentOutOfRangeException(name, value, $"Option {name} is {value}; expected at least {min}.");
    }
}
