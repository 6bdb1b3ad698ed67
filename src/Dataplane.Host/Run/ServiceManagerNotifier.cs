using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Dataplane.Host.Run;

/// <summary>
/// Tells the service manager (systemd, <c>Type=notify</c>) how the daemon is doing, with the sd_notify protocol:
/// newline-separated <c>KEY=VALUE</c> assignments in one datagram to the Unix socket named by <c>$NOTIFY_SOCKET</c>
/// (a path, or an abstract-namespace name written with a leading <c>@</c>). Without <c>$NOTIFY_SOCKET</c> (not started
/// by a service manager) every call does nothing. A send that fails is reported once on the log and never stops the
/// daemon: readiness is information for the manager, not a condition for forwarding.
/// </summary>
public sealed class ServiceManagerNotifier : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly Socket? socket;
    private readonly UnixDomainSocketEndPoint? endPoint;
    private readonly Action<string> reportProblem;
    private readonly Lock sendLock = new();
    private bool problemReported;

    /// <summary>A notifier for <paramref name="socketName"/> (the value of <c>$NOTIFY_SOCKET</c>); null or empty: a silent one.</summary>
    public ServiceManagerNotifier(string? socketName, Action<string> reportProblem)
    {
        this.reportProblem = reportProblem;
        if (string.IsNullOrEmpty(socketName))
        {
            return;
        }

        // sd_notify accepts "/path" and "@abstract"; the kernel names an abstract socket with a leading NUL byte.
        if (socketName[0] is not ('/' or '@'))
        {
            reportProblem($"{SocketVariable}: '{socketName}' is neither an absolute path nor an @abstract name; no readiness notifications");
            return;
        }

        endPoint = new UnixDomainSocketEndPoint(socketName[0] == '@' ? "\0" + socketName[1..] : socketName);
        socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The notifier for this process's environment.</summary>
    public static ServiceManagerNotifier FromEnvironment(Action<string> reportProblem) =>
        new(Environment.GetEnvironmentVariable(SocketVariable), reportProblem);

    /// <summary>Whether a service manager listens (<c>$NOTIFY_SOCKET</c> was set and usable).</summary>
    public bool Enabled => socket is not null;

    /// <summary>Start-up is complete: the ports are open, the saved state is restored, the workers run.</summary>
    public void Ready(string status) =>
        Send($"READY=1\nSTATUS={OneLine(status)}\nMAINPID={Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>
    /// A configuration reload starts; call <see cref="Ready"/> when it is done. MONOTONIC_USEC (CLOCK_MONOTONIC, which
    /// .NET's Stopwatch reads on Linux) lets systemd tell this reload from an older one.
    /// </summary>
    public void Reloading(string status) =>
        Send($"RELOADING=1\nSTATUS={OneLine(status)}\nMONOTONIC_USEC={MonotonicMicroseconds().ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The daemon is stopping (drain, close, final counters).</summary>
    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={OneLine(status)}");

    /// <summary>A free-form status line for <c>systemctl status</c>.</summary>
    public void Status(string status) => Send($"STATUS={OneLine(status)}");

    public void Dispose() => socket?.Dispose();

    private void Send(string message)
    {
        if (socket is null)
        {
            return;
        }

        lock (sendLock)
        {
            try
            {
                socket.SendTo(Encoding.UTF8.GetBytes(message), endPoint!);
            }
            catch (SocketException e) when (!problemReported)
            {
                problemReported = true;
                reportProblem($"{SocketVariable}: cannot notify the service manager: {e.Message}");
            }
            catch (SocketException)
            {
                // Reported once already; the manager will see the daemon by its PID.
            }
            catch (ObjectDisposedException)
            {
                // A reload finishing while the daemon shuts down: nothing left to tell.
            }
        }
    }

    /// <summary>A newline would start a new assignment: a status is one line.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static long MonotonicMicroseconds() => Stopwatch.GetTimestamp() / Math.Max(1, Stopwatch.Frequency / 1_000_000);
}
