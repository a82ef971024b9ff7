using LpCam.MLNet.Tests.Support;

namespace LpCam.MLNet.Tests.Docs;

public class ReadmeTests
{
    [Fact]
    public void The_readme_pipeline_snippet_is_the_compiled_sample()
    {
        var sample = RepoFiles.Read("samples/LpCam.MLNet.Sample/Program.cs");
        var snippet = sample.Split("// <readme-snippet>\n")[1].Split("// </readme-snippet>")[0].TrimEnd();
        Assert.True(snippet.Length > 200);
        Assert.Contains("```csharp\n" + snippet + "\n```", RepoFiles.Read("README.md"));
    }

    [Fact]
    public void Ci_runs_the_readme_commands()
    {
        var readme = RepoFiles.Read("README.md");
        var ci = RepoFiles.Read(".ci/run");
        foreach (var command in new[] { "./setup.sh", "dotnet run --project samples/LpCam.Cli -c Release --no-build -- demo", "dotnet test LpCam.MLNet.sln -c Release" })
        {
            Assert.Contains(command, readme);
            Assert.Contains(command, ci);
        }
    }
}
