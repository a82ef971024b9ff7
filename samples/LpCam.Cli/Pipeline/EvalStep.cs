namespace LpCam.Cli.Pipeline;

/// <summary>eval: metrics and report (filled in with the report writer).</summary>
internal static class EvalStep
{
    public static void Run(PipelineContext ctx) => throw new CliException("eval: not available yet in this build.");
}
