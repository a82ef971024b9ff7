using System.Diagnostics;

namespace LpCam.MLNet.Tests.Support;

/// <summary>Runs the samples app (samples/LpCam.Cli, built with the solution) as a separate process.</summary>
public static class CliProcess
{
    public static (int ExitCode, string Output) Run(params string[] args) => Dotnet(null, args.Prepend(CliPath()).ToArray());

    /// <summary>Runs the samples app with <paramref name="environment"/> added to this process's variables.</summary>
    public static (int ExitCode, string Output) RunWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Dotnet(null, environment, args.Prepend(CliPath()).ToArray());

    private static string CliPath()
    {
        string cli = Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "LpCam.MLNet.Tests"), Path.Combine("samples", "LpCam.Cli")), "lpcam.dll");
        if (!File.Exists(cli)) throw new FileNotFoundException($"The samples app was not built: '{cli}'.");
        return cli;
    }

    /// <summary>
    /// Starts the samples app and kills it (the whole process tree, as <c>kill -9</c> would) as soon as it prints a line
    /// containing <paramref name="marker"/>; returns the output up to then. Fails if the process ends before the marker.
    /// </summary>
    public static string RunUntilKilled(string marker, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(CliPath());
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = new System.Text.StringBuilder();
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (process.StandardOutput.ReadLine() is { } line)
        {
            output.AppendLine(line);
            if (line.Contains(marker, StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return output.ToString();
            }
            if (DateTime.UtcNow > deadline) { process.Kill(true); throw new TimeoutException($"lpcam {string.Join(' ', args)} printed no '{marker}' in 10 minutes."); }
        }
        process.WaitForExit();
        throw new InvalidOperationException($"lpcam {string.Join(' ', args)} ended (exit code {process.ExitCode}) before printing '{marker}':\n{output}{stderr.Result}");
    }

    /// <summary>Runs <c>dotnet ARGS</c> in <paramref name="workingDirectory"/> (null: the current one); stdout then stderr.</summary>
    public static (int ExitCode, string Output) Dotnet(string? workingDirectory, params string[] args) =>
        Dotnet(workingDirectory, new Dictionary<string, string>(), args);

    private static (int ExitCode, string Output) Dotnet(string? workingDirectory, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        foreach (var a in args) start.ArgumentList.Add(a);
        // The test host's MSBuild settings must not leak into nested builds.
        foreach (var key in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "DOTNET_HOST_PATH" }) start.Environment.Remove(key);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(600_000)) { process.Kill(true); throw new TimeoutException($"dotnet {string.Join(' ', args)} took more than 10 minutes."); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
