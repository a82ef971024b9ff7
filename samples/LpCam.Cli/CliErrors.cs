using LpCam.MLNet.Data;

namespace LpCam.Cli;

/// <summary>
/// The app's one error policy: every failure becomes one line that names the file, option or value and what was
/// expected, and an exit code (2: the command failed; 1: it finished but some images failed). The stack trace is printed
/// only with --verbose.
/// </summary>
internal static class CliErrors
{
    /// <summary>Exit code of a command that failed (bad option, unreadable file, ...).</summary>
    public const int Failed = 2;

    /// <summary>Exit code of a command that finished, but skipped images it could not read.</summary>
    public const int SomeImagesFailed = 1;

    /// <summary>The one-line message for <paramref name="error"/>.</summary>
    public static string Describe(Exception error)
    {
        var e = Unwrap(error);
        return e switch
        {
            CliException => e.Message,
            DatasetException d => $"{d.FileName}: {d.Message}",
            OutOfMemoryException => "out of memory; use a smaller --long-side or fewer --scales.",
            TypeInitializationException { InnerException: { } inner } when e.Message.Contains("TorchSharp", StringComparison.Ordinal) || inner.Message.Contains("libtorch", StringComparison.OrdinalIgnoreCase) =>
                $"TorchSharp's native library did not load ({OneLine(inner.Message)}); run ./setup.sh (see the README's Requirements) or 'lpcam doctor'.",
            UnauthorizedAccessException or IOException => $"{OneLine(e.Message)} (check the path, the permissions and the free disk space)",
            _ => $"{OneLine(e.Message)} ({e.GetType().Name})",
        };
    }

    /// <summary>Prints "COMMAND: message" (and with <paramref name="verbose"/> the stack trace) to standard error.</summary>
    public static int Report(string command, Exception error, bool verbose)
    {
        Console.Out.Flush();
        Console.Error.WriteLine($"{command}: {Describe(error)}");
        if (verbose) Console.Error.WriteLine(error);
        else if (Unwrap(error) is not CliException) Console.Error.WriteLine("(run with --verbose for the stack trace)");
        return Failed;
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a: e = a.InnerExceptions[0]; continue;
                case System.Reflection.TargetInvocationException { InnerException: { } inner }: e = inner; continue;
                default: return e;
            }
        }
    }

    /// <summary>The first line of a message, trimmed (exception texts sometimes go on with details).</summary>
    public static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static string OneLine(string text) => string.Join(" ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
