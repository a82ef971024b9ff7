namespace LpCam.Cli;

internal static partial class Commands
{
    /// <summary>demo: the whole pipeline on the built-in synthetic dataset (filled in with the generator).</summary>
    public static int Demo(CliArgs args) => throw new CliException("demo: not available yet in this build.");
}
