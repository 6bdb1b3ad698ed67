using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Dataplane.Tests.Integration.Interop;

/// <summary>
/// One Open Overlay Router running in the foreground in a namespace, its output (line-buffered by stdbuf) going to a
/// file: at debug level 3 it writes a lot, and a file never stalls it the way a full pipe would. `ip netns exec`
/// and the shell exec into OOR, so the started process's PID is OOR's, and it is stopped by that PID.
/// </summary>
public sealed class OorNode
{
    private readonly Process process;

    private OorNode(string name, Process process, string logPath)
    {
        Name = name;
        this.process = process;
        LogPath = logPath;
    }

    public string Name { get; }

    public string LogPath { get; }

    public bool HasExited => process.HasExited;

    public static OorNode Start(Lab lab, string ns, string name, OorConfig config, string scratch)
    {
        string binary = OorBuild.RequireBinary();
        string configPath = Path.Combine(scratch, $"{name}.conf");
        string logPath = Path.Combine(scratch, $"{name}.oor.log");
        File.WriteAllText(configPath, config.Render());
        var process = lab.Start(ns, "/bin/sh", "-c", "exec stdbuf -oL -eL \"$0\" -f \"$1\" >\"$2\" 2>&1", binary, configPath, logPath);
        return new OorNode(name, process, logPath);
    }

    /// <summary>What OOR has written so far.</summary>
    public string Log()
    {
        using var stream = new FileStream(LogPath, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Polls the log every 50 ms until <paramref name="pattern"/> matches (in what follows <paramref name="from"/>), at most <paramref name="timeout"/> (or as many polls).</summary>
    public Match? WaitForLog(Regex pattern, TimeSpan timeout, int from = 0)
    {
        var clock = Stopwatch.StartNew();
        int polls = (int)(timeout.TotalMilliseconds / 50) + 1;
        for (int poll = 0; poll < polls && !process.HasExited; poll++)
        {
            string log = Log();
            var match = pattern.Match(log, Math.Min(from, log.Length));
            if (match.Success)
            {
                return match;
            }

            if (clock.Elapsed >= timeout)
            {
                break;
            }

            Thread.Sleep(50);
        }

        return null;
    }

    /// <summary>
    /// Waits until OOR has finished starting (its last start-up line): it pauses 2 s after each warning about a part
    /// left out of its configuration (map-server, map-resolver, proxy-ETR) and reads no control message meanwhile.
    /// </summary>
    public bool WaitUntilRunning(TimeSpan timeout) => WaitForLog(new Regex("API server initiated"), timeout) is not null;

    /// <summary>SIGTERM by PID, SIGKILL when it does not end within 5 s; its log.</summary>
    public string Stop()
    {
        if (!process.HasExited)
        {
            Lab.TryRun(TimeSpan.FromSeconds(5), "kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }
        }

        return Log();
    }
}
