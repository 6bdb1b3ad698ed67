using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Integration.Interop;

/// <summary>
/// Open Overlay Router, built once per test run by scripts/build-oor.sh from its source tarball: $OOR_TARBALL, else
/// the copy the test machines keep beside the repository (../shared/peers). A missing prerequisite (the tarball, a C
/// compiler, a build dependency) makes the asking test skip with the script's own words; a build that fails with
/// everything present fails the test.
/// </summary>
public static class OorBuild
{
    /// <summary>build-oor.sh's exit code for "a prerequisite is missing".</summary>
    private const int MissingPrerequisite = 3;

    private static readonly Lazy<(string? Binary, string Problem, bool Skip)> Outcome = new(Build);

    /// <summary>The OOR binary; skips (not root, prerequisite missing) or fails (build broken) the calling test otherwise.</summary>
    public static string RequireBinary()
    {
        Lab.RequireRoot();
        var (binary, problem, skip) = Outcome.Value;
        if (skip)
        {
            Assert.Skip(problem);
        }

        Assert.True(binary is not null, problem);
        return binary!;
    }

    private static (string? Binary, string Problem, bool Skip) Build()
    {
        string script = Path.Combine(RepositoryPaths.Root, "scripts", "build-oor.sh");
        if (!File.Exists("/bin/bash"))
        {
            return (null, "needs bash to run scripts/build-oor.sh", true);
        }

        string tarball = Environment.GetEnvironmentVariable("OOR_TARBALL") is { Length: > 0 } given
            ? given
            : Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "peers", "oor-e5fdf59.tar.gz"));

        // A first build takes about a minute on two cores; later runs find the stamp and return at once.
        var (exitCode, output) = Lab.TryRun(TimeSpan.FromMinutes(5), "/bin/bash", script, tarball);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string? binary = lines.LastOrDefault(File.Exists); // the script prints the binary's path when it is done
        return exitCode switch
        {
            0 when binary is not null => (binary, "", false),
            MissingPrerequisite => (null, $"needs Open Overlay Router built: {string.Join(' ', lines)}", true),
            _ => (null, $"scripts/build-oor.sh exited {exitCode}:\n{output}", false),
        };
    }
}
