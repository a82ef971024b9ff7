namespace LpCam.MLNet.Data;

/// <summary>A problem found while opening a dataset.</summary>
/// <param name="Name">The sample's name.</param>
/// <param name="File">The file at fault (or the list or CSV file that names the sample).</param>
/// <param name="Problem">What is wrong, in words.</param>
/// <param name="Severity">Whether the sample was skipped (<see cref="DatasetIssueSeverity.Error"/>) or kept.</param>
public sealed record DatasetIssue(string Name, string File, string Problem, DatasetIssueSeverity Severity)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Severity}: {Name}: {File}: {Problem}";
}
