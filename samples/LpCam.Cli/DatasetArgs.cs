using LpCam.Cli.Pipeline;

namespace LpCam.Cli;

/// <summary>Opens the dataset named on the command line (filled in with the dataset readers).</summary>
internal static class DatasetArgs
{
    public static RunDataset Open(CliArgs args) => throw new CliException("datasets: not available yet in this build.");
}
