using System.Diagnostics;

namespace Dataplane.Tests.Oracles;

/// <summary>
/// Runs Debian's Python with Scapy, a packet encoder nobody on this project wrote. Debian's interpreter is
/// named explicitly: the first python3 on PATH may be another one without python3-scapy.
/// </summary>
public static class ScapyOracle
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Installed = new(() => File.Exists(Python) && TryRun(["-c", "import scapy"], out _, out _));

    public static bool IsInstalled => Installed.Value;

    public static void RequireInstalled()
    {
        if (!IsInstalled)
        {
            Assert.Skip("Scapy is not installed for /usr/bin/python3: run scripts/setup.sh (apt package python3-scapy)");
        }
    }

    /// <summary>Runs a Python script with arguments and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(params string[] arguments)
    {
        RequireInstalled();
        if (!TryRun(arguments, out string stdout, out string stderr))
        {
            Assert.Fail($"python3 {string.Join(' ', arguments)} failed: {stderr}");
        }

        return stdout;
    }

    private static bool TryRun(IEnumerable<string> arguments, out string stdout, out string stderr)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start);
        if (process is null)
        {
            stdout = stderr = "";
            return false;
        }

        var error = process.StandardError.ReadToEndAsync();
        stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill();
            stderr = "timed out after 120 s";
            return false;
        }

        stderr = error.Result;
        return process.ExitCode == 0;
    }
}
