namespace Dataplane.Tests.Packaging;

/// <summary>One <c>scripts/package-deb</c> of the installed program (<c>--from</c> its library), built once per test run.</summary>
public static class DebPackage
{
    private static readonly Lock BuildLock = new();
    private static string? built;
    private static ProgramResult? result;

    /// <summary>The .deb's path; skips or fails the calling test when it cannot be built.</summary>
    public static string For(InstalledProgram installed)
    {
        installed.Require();
        foreach (string tool in new[] { "dpkg-deb", "dpkg-shlibdeps", "fakeroot" })
        {
            Assert.SkipUnless(ProgramRun.OnPath(tool), $"needs {tool} (apt-get install dpkg-dev fakeroot)");
        }

        lock (BuildLock)
        {
            if (result is null)
            {
                string outDirectory = Path.Combine(installed.Scratch, "deb");
                result = ProgramRun.Run(TimeSpan.FromMinutes(5), [InstalledProgram.Script("package-deb"), "--from", installed.Library, "--out", outDirectory]);
                built = result.ExitCode == 0 ? result.Output.Trim() : null;
            }
        }

        Assert.True(built is not null && File.Exists(built), $"scripts/package-deb failed: {result}");
        return built!;
    }
}
