using System.Diagnostics;
using Dataplane.Host.Cli;

namespace Dataplane.Tests.Host.Cli;

/// <summary>Runs the <c>dataplane</c> command line in the test process, or as the real program in a child process.</summary>
public static class CliRun
{
    public static readonly string Program = Path.Combine(AppContext.BaseDirectory, "dataplane");

    public static (int ExitCode, string Output, string Error) InProcess(params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = DataplaneCli.Invoke(arguments, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The program as a child, killed (by its own Process) if it has not exited within 60 s.</summary>
    public static (int ExitCode, string Output, string Error) Child(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            process.WaitForExit(10_000);
            Assert.Fail($"dataplane {string.Join(' ', arguments)} did not exit within 60 s");
        }

        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>What every refusal must look like: one line, naming the problem, no stack.</summary>
    public static void AssertOneLineProblem(string error, string expected, string context)
    {
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"{context}: expected one line on stderr, got {lines.Length}:\n{error}");
        Assert.True(lines[0].Contains(expected, StringComparison.Ordinal), $"{context}: '{expected}' not in: {lines[0]}");
    }
}
