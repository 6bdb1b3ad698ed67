using System.Diagnostics;
using System.Globalization;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Ports;

/// <summary>
/// Runs <c>dataplane dpdk-forward</c> in a child process (EAL can be initialised only once per process) on virtual
/// devices, without NICs or hugepages: <c>--no-huge -m 512 --no-pci</c>, one lcore, a unique <c>--file-prefix</c>
/// so parallel runs never share EAL's runtime directory.
/// </summary>
public sealed class DpdkForwardRun
{
    private DpdkForwardRun(int exitCode, string output, string error)
    {
        ExitCode = exitCode;
        Output = output;
        Error = error;
    }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    /// <summary>Skips the test, saying why, when the DPDK shim was not built (DPDK not installed: run scripts/setup.sh).</summary>
    public static void SkipUnlessAvailable()
    {
        string shim = Path.Combine(AppContext.BaseDirectory, "libdpdkshim.so");
        if (!File.Exists(shim))
        {
            Assert.Skip($"DPDK shim not built ({shim} missing): run scripts/setup.sh (installs libdpdk-dev) and scripts/build-native.sh, or scripts/test which does both");
        }
    }

    public static DpdkForwardRun Start(string configPath, string device, string vdev, params string[] extra)
    {
        string prefix = "dptest" + Guid.NewGuid().ToString("N")[..12];
        string eal = $"-l 0 --no-huge -m 512 --no-pci --no-shconf --file-prefix {prefix} --log-level=warning --vdev={vdev}";
        try
        {
            return StartHost(["dpdk-forward", "--config", configPath, "--device", device, "--idle-ms", "500", "--eal", eal, .. extra]);
        }
        finally
        {
            TryDelete(Path.Combine("/var/run/dpdk", prefix));
        }
    }

    /// <summary>Runs the host program (dataplane.dll, copied into the test output) with <paramref name="arguments"/>.</summary>
    public static DpdkForwardRun StartHost(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dataplane.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"dataplane {arguments[0]} did not finish within 60 s");
        return new DpdkForwardRun(process.ExitCode, output, error.Result);
    }

    /// <summary>A counter line of the output ("received   13", "event Routed   1"), 0 when absent.</summary>
    public long Counter(string name)
    {
        foreach (var line in Output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 2 && fields[0] == name)
            {
                return long.Parse(fields[1], CultureInfo.InvariantCulture);
            }

            if (fields.Length == 3 && fields[0] == "event" && fields[1] == name)
            {
                return long.Parse(fields[2], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>A figure of the port statistics line ("port NAME (DEV): rx N tx N ..."), by its label.</summary>
    public long PortStatistic(string label)
    {
        var line = Output.Split('\n').First(l => l.StartsWith("port ", StringComparison.Ordinal));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int at = Array.IndexOf(fields, label);
        Assert.True(at > 0, $"no '{label}' in '{line}'");
        return long.Parse(fields[at + 1], CultureInfo.InvariantCulture);
    }

    /// <summary>The <c>key=value</c> pairs of the output line <c>LABEL: key=value ...</c>; fails the test when there is none.</summary>
    public Dictionary<string, string> Fields(string label)
    {
        var line = Output.Split('\n').FirstOrDefault(l => l.StartsWith(label + ": ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no line '{label}: ...' in the output\n{this}");
        return line[(label.Length + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : "");
    }

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";

    /// <summary>Removes EAL's runtime directory of a finished run (best effort).</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
