using System.Diagnostics;
using Microsoft.ML;

namespace LpCam.MLNet.Tests.Support;

/// <summary>
/// Applies a saved model in a separate process (tests/LpCam.ModelRunner, which does not reference LpCam.MLNet): the input
/// goes over as an ML.NET binary .idv file and the output comes back the same way.
/// </summary>
public static class FreshProcess
{
    public static IDataView Apply(MLContext ml, string modelZip, IDataView input, string workDir)
    {
        string inputPath = Path.Combine(workDir, "input.idv"), outputPath = Path.Combine(workDir, "output.idv");
        using (var stream = File.Create(inputPath)) ml.Data.SaveAsBinary(input, stream);
        // The runner is built by the solution (and as a reference of this project) into its own bin folder beside ours.
        string runner = Path.Combine(AppContext.BaseDirectory.Replace("LpCam.MLNet.Tests", "LpCam.ModelRunner"), "LpCam.ModelRunner.dll");
        if (!File.Exists(runner)) throw new FileNotFoundException($"The model runner was not built next to the tests: '{runner}'.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { runner, modelZip, inputPath, outputPath }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(300_000)) { process.Kill(true); throw new TimeoutException("The model runner took more than 5 minutes."); }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The model runner failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        LastOutput = stdout.Result;
        return ml.Data.LoadFromBinary(outputPath);
    }

    /// <summary>What the last runner printed (the loaded transformer types, rows and columns).</summary>
    public static string LastOutput { get; private set; } = "";
}
