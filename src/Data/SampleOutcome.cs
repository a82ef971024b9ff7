namespace LpCam.MLNet.Data;

/// <summary>The result of checking one sample's files: the sample, or the errors that skip it (plus any warnings).</summary>
internal sealed class SampleOutcome
{
    public SegmentationSample? Sample { get; set; }

    public List<DatasetIssue> Issues { get; } = new();

    public Exception? FirstCause { get; private set; }

    public bool HasErrors => Issues.Any(i => i.Severity == DatasetIssueSeverity.Error);

    public void Error(string name, string file, string problem, Exception? cause = null)
    {
        Issues.Add(new DatasetIssue(name, file, problem, DatasetIssueSeverity.Error));
        FirstCause ??= cause;
    }

    public void Warning(string name, string file, string problem) =>
        Issues.Add(new DatasetIssue(name, file, problem, DatasetIssueSeverity.Warning));
}
