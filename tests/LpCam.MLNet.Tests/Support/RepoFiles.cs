namespace LpCam.MLNet.Tests.Support;

/// <summary>Files of the repository the tests read (README, samples).</summary>
public static class RepoFiles
{
    public static string Root
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "LpCam.MLNet.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException("LpCam.MLNet.sln not found above the test binaries.");
        }
    }

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));
}
