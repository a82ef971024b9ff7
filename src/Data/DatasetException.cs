namespace LpCam.MLNet.Data;

/// <summary>Thrown when a dataset is opened with <see cref="DatasetReadOptions.StopOnError"/> and a sample is bad.</summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception for <paramref name="issue"/>.</summary>
    public DatasetException(DatasetIssue issue, Exception? inner = null)
        : base($"Dataset sample '{issue?.Name}' is bad: {issue?.File}: {issue?.Problem}", inner)
    {
        ArgumentNullException.ThrowIfNull(issue);
        Issue = issue;
    }

    /// <summary>The problem, naming the sample and the file.</summary>
    public DatasetIssue Issue { get; }

    /// <summary>The file at fault.</summary>
    public string FileName => Issue.File;
}
