using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Packaging;

/// <summary>
/// One <c>scripts/install --prefix TMP</c> from this checkout (a self-contained publish: a minute or two), shared by
/// the install, package and unit tests; the prefix is removed afterwards. When a build prerequisite is missing the
/// install is not attempted and <see cref="SkipReason"/> says why.
/// </summary>
public sealed class InstalledProgram : IDisposable
{
    public InstalledProgram()
    {
        Scratch = Directory.CreateTempSubdirectory("dataplane-install-").FullName;
        Prefix = Path.Combine(Scratch, "prefix");
        SkipReason = MissingPrerequisite();
        if (SkipReason is null)
        {
            InstallResult = ProgramRun.Run(TimeSpan.FromMinutes(10), [Script("install"), "--prefix", Prefix]);
        }
    }

    public string Scratch { get; }

    public string Prefix { get; }

    public string? SkipReason { get; }

    public ProgramResult? InstallResult { get; }

    public string Program => Path.Combine(Prefix, "bin", "dataplane");

    public string Library => Path.Combine(Prefix, "lib", "dataplane");

    /// <summary>The product version as Directory.Build.props sets it, read here independently of the program.</summary>
    public static string PropsVersion =>
        System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryPaths.Root, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    public static string Script(string name) => Path.Combine(RepositoryPaths.Root, "scripts", name);

    /// <summary>Skips the calling test when the install could not be made, and fails it when the install failed.</summary>
    public void Require()
    {
        Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");
        Assert.True(InstallResult!.ExitCode == 0, $"scripts/install failed: {InstallResult}");
    }

    public void Dispose() => Directory.Delete(Scratch, recursive: true);

    private static string? MissingPrerequisite()
    {
        foreach (string tool in new[] { "dotnet", "cmake", "pkg-config", "gcc" })
        {
            if (!ProgramRun.OnPath(tool))
            {
                return $"needs {tool} to build the program (scripts/setup.sh installs it)";
            }
        }

        return ProgramRun.Run(TimeSpan.FromSeconds(30), ["pkg-config", "--exists", "libdpdk"]).ExitCode == 0
            ? null
            : "needs libdpdk-dev for the native shim (scripts/setup.sh installs it)";
    }
}

[CollectionDefinition(Name)]
public sealed class InstalledProgramCollection : ICollectionFixture<InstalledProgram>
{
    public const string Name = "installed program";
}
