namespace LpCam.Cli.Pipeline;

/// <summary>The run manifest: versions, parameters and the time of each step.</summary>
internal static class Manifest
{
    public static void Write(PipelineContext ctx, string command, IReadOnlyList<string> commandLine, DateTimeOffset started) =>
        RunFolder.WriteJson(ctx.Folder.Manifest, new
        {
            command,
            commandLine,
            started,
            finished = DateTimeOffset.Now,
            dataset = ctx.Dataset.Description,
            images = ctx.Dataset.Names.Count,
            settings = ctx.Options.Identity(),
            stepSeconds = ctx.StepSeconds,
            versions = new Dictionary<string, string?>
            {
                ["LpCam.MLNet"] = typeof(LpCam.MLNet.Engine.TorchDevice).Assembly.GetName().Version?.ToString(),
                ["Microsoft.ML"] = typeof(Microsoft.ML.MLContext).Assembly.GetName().Version?.ToString(),
                ["TorchSharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(),
                ["OnnxRuntime"] = typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(),
                [".NET"] = Environment.Version.ToString(),
            },
        });
}
