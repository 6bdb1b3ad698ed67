using System.Diagnostics;

namespace Dataplane.Tests.AfPacket;

/// <summary>
/// The far end of the veth, driven from inside the test's namespace by Debian's Python with a plain packet socket:
/// it sends the frames a test gives it, or captures the frames of our test EtherTypes that reach it.
/// </summary>
public static class NamespacePeer
{
    private const string Script = """
import socket, sys, time, select
mode, iface = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((iface, 0))
if mode == 'send':
    delay = float(sys.argv[3]) / 1000.0
    for line in sys.stdin:
        line = line.strip()
        if line:
            s.send(bytes.fromhex(line))
            if delay > 0:
                time.sleep(delay)
    print('done', flush=True)
else:
    count, deadline = int(sys.argv[3]), time.time() + float(sys.argv[4])
    # Room for every frame of a test even when they come faster than Python prints them (SO_RCVBUFFORCE, as root).
    s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)
    print('ready', flush=True)
    got = 0
    while got < count and time.time() < deadline:
        r, _, _ = select.select([s], [], [], 0.1)
        if not r:
            continue
        data, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING or data[12:14] != b'\x88\xb5':
            continue
        print(data.hex(), flush=True)
        got += 1
""";

    /// <summary>Sends <paramref name="frames"/> from the namespace end, <paramref name="delayMilliseconds"/> apart; returns when all are sent.</summary>
    public static void Send(VethNamespace veth, IEnumerable<byte[]> frames, double delayMilliseconds = 0)
    {
        using var process = Start(veth, "send", veth.PeerInterface, delayMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var frame in frames)
        {
            process.StandardInput.WriteLine(Convert.ToHexString(frame));
        }
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the sender in the namespace did not finish");
        Assert.True(process.ExitCode == 0 && output.Contains("done"), $"the sender in the namespace failed: {process.StandardError.ReadToEnd()}");
    }

    /// <summary>Sends on a thread of its own while the test receives; <see cref="Sender.Join"/> rethrows what went wrong.</summary>
    public static Sender SendInBackground(VethNamespace veth, IReadOnlyList<byte[]> frames, double delayMilliseconds) => new(veth, frames, delayMilliseconds);

    /// <summary>Starts a capture in the namespace and returns once it is listening.</summary>
    public static Capture StartCapture(VethNamespace veth, int count, double timeoutSeconds)
    {
        var process = Start(veth, "recv", veth.PeerInterface, count.ToString(), timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var first = process.StandardOutput.ReadLine();
        if (first != "ready")
        {
            // Read the error only on failure: reading it to the end waits for the capture to exit.
            Assert.Fail($"the capture in the namespace did not start: {process.StandardError.ReadToEnd()}");
        }
        return new Capture(process);
    }

    private static Process Start(VethNamespace veth, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["netns", "exec", veth.Namespace, "/usr/bin/python3", "-c", Script, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        return Process.Start(start)!;
    }

    /// <summary>A running capture; <see cref="Frames"/> waits for it to end (count reached or timeout).</summary>
    public sealed class Capture(Process process) : IDisposable
    {
        /// <summary>What the capture wrote to standard error, once <see cref="Frames"/> returned.</summary>
        public string Error { get; private set; } = "";

        public List<byte[]> Frames()
        {
            var frames = new List<byte[]>();
            string? line;
            while ((line = process.StandardOutput.ReadLine()) != null)
            {
                frames.Add(Convert.FromHexString(line));
            }
            process.WaitForExit(TimeSpan.FromSeconds(30));
            Error = process.StandardError.ReadToEnd();
            return frames;
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
    }

    public sealed class Sender : IDisposable
    {
        private readonly Thread _thread;
        private Exception? _failure;

        public Sender(VethNamespace veth, IReadOnlyList<byte[]> frames, double delayMilliseconds)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    Send(veth, frames, delayMilliseconds);
                }
                catch (Exception e)
                {
                    _failure = e;
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public void Join(TimeSpan timeout)
        {
            Assert.True(_thread.Join(timeout), "the sender in the namespace did not finish in time");
            if (_failure != null)
            {
                throw _failure;
            }
        }

        public void Dispose() => _thread.Join(TimeSpan.FromSeconds(60));
    }
}
