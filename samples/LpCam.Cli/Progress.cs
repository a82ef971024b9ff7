using System.Diagnostics;

namespace LpCam.Cli;

/// <summary>
/// A progress bar per step with the rate and the time left. On a terminal it redraws one line; otherwise (CI logs) it
/// prints a line about every 10% and at the end. <see cref="Tick"/> may be called from several threads.
/// </summary>
internal sealed class Progress : IDisposable
{
    private readonly string _label;
    private readonly int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsOutputRedirected;
    private int _done, _skipped, _lastDecile = -1;

    public Progress(string label, int total)
    {
        _label = label;
        _total = total;
        Draw(force: true);
    }

    /// <summary>One item done; <paramref name="skipped"/> when an earlier run had already done it (resume).</summary>
    public void Tick(bool skipped = false)
    {
        lock (_clock)
        {
            _done++;
            if (skipped) _skipped++;
            Draw(force: false);
        }
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    private void Draw(bool force)
    {
        int worked = _done - _skipped;
        double rate = worked / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        string eta = worked == 0 ? "?" : TimeSpan.FromSeconds((_total - _done) / Math.Max(rate, 1e-9)).ToString(@"h\:mm\:ss");
        int width = 24, filled = _total == 0 ? width : width * _done / _total;
        string line = $"{_label,-16} [{new string('#', filled)}{new string('.', width - filled)}] {_done}/{_total}  {rate:F1}/s  left {eta}" +
            (_skipped > 0 ? $"  ({_skipped} already done)" : "");
        if (_interactive) Console.Write("\r" + line);
        else
        {
            int decile = _total == 0 ? 10 : 10 * _done / _total;
            if (force || decile != _lastDecile) { Console.WriteLine(line); _lastDecile = decile; }
        }
    }

    public void Dispose()
    {
        if (_interactive) Console.WriteLine();
        Console.WriteLine($"{_label}: {_done} items in {_clock.Elapsed.TotalSeconds:F1} s");
    }
}
