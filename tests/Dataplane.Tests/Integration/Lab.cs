using System.Diagnostics;

namespace Dataplane.Tests.Integration;

/// <summary>
/// Network namespaces, veth links and processes made by one test, with unique names (prefix + PID + counter), and
/// removed by name or PID when the test ends. Every command is bounded in time. Tests that need it skip with a
/// clear message when not root.
/// </summary>
public sealed class Lab : IDisposable
{
    private static int counter;
    private readonly List<string> namespaces = [];
    private readonly List<Process> processes = [];

    public Lab()
    {
        Prefix = $"dpt{Environment.ProcessId % 100000}x{Interlocked.Increment(ref counter)}";
    }

    /// <summary>Prefix of every name this lab makes (namespaces are named Prefix-name).</summary>
    public string Prefix { get; }

    public static void RequireRoot()
    {
        Assert.SkipUnless(Environment.UserName == "root" || geteuid() == 0, "needs root (network namespaces, veth links, AF_PACKET); CI runs as root");
        Assert.SkipUnless(File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip"), "needs iproute2 (scripts/setup.sh installs it)");
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    public string Namespace(string name)
    {
        string full = $"{Prefix}-{name}";
        Run("ip", "netns", "add", full);
        namespaces.Add(full);
        InNamespace(full, "ip", "link", "set", "lo", "up");
        return full;
    }

    /// <summary>A veth pair with one end in each namespace, given MACs, up, IPv6 off (no autoconfiguration chatter).</summary>
    public void Link(string namespaceA, string nameA, string macA, string namespaceB, string nameB, string macB)
    {
        string tempA = $"{Prefix}a{namespaces.Count}", tempB = $"{Prefix}b{namespaces.Count}";
        tempA = tempA[..Math.Min(15, tempA.Length)];
        tempB = tempB[..Math.Min(15, tempB.Length)];
        Run("ip", "link", "add", tempA, "type", "veth", "peer", "name", tempB);
        Run("ip", "link", "set", tempA, "netns", namespaceA);
        Run("ip", "link", "set", tempB, "netns", namespaceB);
        foreach (var (ns, temp, name, mac) in new[] { (namespaceA, tempA, nameA, macA), (namespaceB, tempB, nameB, macB) })
        {
            InNamespace(ns, "ip", "link", "set", temp, "name", name);
            InNamespace(ns, "ip", "link", "set", name, "address", mac);
            InNamespace(ns, "sysctl", "-qw", $"net.ipv6.conf.{name}.disable_ipv6=1");
            InNamespace(ns, "ip", "link", "set", name, "up");
        }
    }

    public string InNamespace(string ns, params string[] command) => Run(["ip", "netns", "exec", ns, .. command]);

    /// <summary>Starts a long-running process in a namespace; stopped with SIGTERM (then killed) by PID at the end.</summary>
    public Process Start(string ns, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "netns", "exec", ns }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {string.Join(' ', command)}");
        processes.Add(process);
        return process;
    }

    /// <summary>Runs a command to completion (at most 30 s); throws with its output when it fails.</summary>
    public static string Run(params string[] command)
    {
        var (exitCode, output) = TryRun(TimeSpan.FromSeconds(30), command);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"`{string.Join(' ', command)}` exited {exitCode}: {output}");
        }

        return output;
    }

    public static (int ExitCode, string Output) TryRun(TimeSpan timeout, params string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout.TotalSeconds} s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Stops a started process with SIGTERM and returns what it printed (it prints its counters on the way out).</summary>
    public static string Stop(Process process)
    {
        if (!process.HasExited)
        {
            TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
    }

    public void Dispose()
    {
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            process.Dispose();
        }

        foreach (string ns in namespaces)
        {
            TryRun(TimeSpan.FromSeconds(10), "ip", "netns", "delete", ns); // its veth ends go with it
        }
    }
}
