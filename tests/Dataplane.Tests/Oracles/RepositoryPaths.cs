namespace Dataplane.Tests.Oracles;

/// <summary>Finds files of the repository (pcaps/, scripts/) from the test's output folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Pcap(string name) => System.IO.Path.Combine(Root, "pcaps", name);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Dataplane.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Dataplane.sln above {AppContext.BaseDirectory}");
    }
}
