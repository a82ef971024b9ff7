namespace LpCam.Cli.Pipeline;

/// <summary>seeds: seed masks and overlays (filled in with the palette writer).</summary>
internal static class SeedsStep
{
    public static void Run(PipelineContext ctx) => throw new CliException("seeds: not available yet in this build.");
}
