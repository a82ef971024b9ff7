using System.Diagnostics;

namespace LpCam.MLNet.Tests.Support;

/// <summary>Runs the samples app (samples/LpCam.Cli, built with the solution) as a separate process.</summary>
public static class CliProcess
{
    public static (int ExitCode, string Output) Run(params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("tests", "LpCam.MLNet.Tests"), Path.Combine("samples", "LpCam.Cli")), "lpcam.dll");
        if (!File.Exists(cli)) throw new FileNotFoundException($"The samples app was not built: '{cli}'.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(600_000)) { process.Kill(true); throw new TimeoutException($"lpcam {string.Join(' ', args)} took more than 10 minutes."); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
