using System.Globalization;

namespace LpCam.Cli.Pipeline;

/// <summary>
/// The time of each step of one process and of its backbone step (the features part of train-cam), printed at the end
/// of a run as milliseconds per image and as the ratio of the whole run to the backbone step.
/// </summary>
internal sealed class StepTimings
{
    private readonly List<(string Name, TimeSpan Time)> _steps = new();

    /// <summary>The backbone step (decoding, inference and feature files, overlapped); null when train-cam did not run.</summary>
    public TimeSpan? Backbone { get; set; }

    /// <summary>The steps timed so far, in order.</summary>
    public IReadOnlyList<(string Name, TimeSpan Time)> Steps => _steps;

    /// <summary>Records a step's time.</summary>
    public void Add(string name, TimeSpan time) => _steps.Add((name, time));

    /// <summary>The lines of the breakdown: every step (train-cam split into its backbone part and the rest) and the ratio.</summary>
    public IReadOnlyList<string> Breakdown(int images, TimeSpan whole, int workers)
    {
        string Ms(TimeSpan t) => (t.TotalMilliseconds / Math.Max(1, images)).ToString("F1", CultureInfo.InvariantCulture).PadLeft(8);
        string S(TimeSpan t) => t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture).PadLeft(7);
        var lines = new List<string> { $"timings: {images} images, {workers} workers, {Environment.ProcessorCount} cores (ms per image, seconds)" };
        foreach (var (name, time) in _steps)
        {
            if (name == "train-cam" && Backbone is { } backbone)
            {
                lines.Add($"  {"features (backbone)",-22}{Ms(backbone)} {S(backbone)}");
                lines.Add($"  {"train-cam (head)",-22}{Ms(time - backbone)} {S(time - backbone)}");
            }
            else lines.Add($"  {name,-22}{Ms(time)} {S(time)}");
        }
        lines.Add($"  {"whole run",-22}{Ms(whole)} {S(whole)}");
        if (Backbone is { } b && b > TimeSpan.Zero)
            lines.Add($"whole run / backbone step: {(whole / b).ToString("F2", CultureInfo.InvariantCulture)}x");
        return lines;
    }
}
