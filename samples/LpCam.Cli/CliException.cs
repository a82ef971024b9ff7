namespace LpCam.Cli;

/// <summary>A usage or input error, printed as one line without a stack trace (see <see cref="CliErrors"/>).</summary>
internal sealed class CliException(string message) : Exception(message);
