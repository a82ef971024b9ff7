namespace LpCam.MLNet.Data;

/// <summary>How serious a <see cref="DatasetIssue"/> is.</summary>
public enum DatasetIssueSeverity
{
    /// <summary>The sample is kept (for example, its mask shows a class its labels lack).</summary>
    Warning,

    /// <summary>The sample was skipped (missing or corrupt file, unknown class, size mismatch, ...).</summary>
    Error,
}
