using System.Diagnostics;

namespace Dataplane.Tests.Packaging;

/// <summary>What a finished child process said.</summary>
public sealed record ProgramResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs a script or program of the product to completion, bounded, with a chosen environment.</summary>
public static class ProgramRun
{
    /// <summary>
    /// Runs <paramref name="command"/>; <paramref name="environment"/> entries are added (a null value removes one);
    /// <paramref name="onlyThisEnvironment"/> starts from an empty environment instead of ours.
    /// </summary>
    public static ProgramResult Run(TimeSpan timeout, IReadOnlyList<string> command, IReadOnlyDictionary<string, string?>? environment = null,
        bool onlyThisEnvironment = false, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        if (onlyThisEnvironment)
        {
            start.Environment.Clear();
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
            Assert.Fail($"{string.Join(' ', command)} did not finish within {timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return new ProgramResult(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Whether <paramref name="tool"/> is on our PATH.</summary>
    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool)));

    /// <summary>Whether this process runs as root.</summary>
    public static bool IsRoot => geteuid() == 0;

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
