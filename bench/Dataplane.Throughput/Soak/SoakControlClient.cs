using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Dataplane.Throughput.Scenarios;

namespace Dataplane.Throughput.Soak;

/// <summary>
/// The soak's operator: N updates per second over ONE connection to the real control socket, as JSON-RPC lines,
/// paced every 10 ms and pipelined (up to 256 requests written, then their replies read in order, which the server
/// guarantees per connection). Updates cycle through four kinds, so the map-cache's size stays where it started:
/// mapcache.add of a /28 inside a traffic destination's /24 (same RLOC: the traffic keeps being encapsulated, through
/// the more specific entry), its mapcache.remove, mapcache.add of a /24 in 172.16/12 (no traffic goes there), and its
/// remove. An update counts as acknowledged when its reply has the request's id, a result and no error.
/// </summary>
internal sealed class SoakControlClient
{
    private const int MaxInFlight = 256;
    private readonly string socketPath;
    private readonly int updatesPerSecond;
    private readonly int prefixes;
    private long sent;
    private long acknowledged;
    private volatile bool stop;

    public SoakControlClient(string socketPath, int updatesPerSecond, int prefixes)
    {
        this.socketPath = socketPath;
        this.updatesPerSecond = updatesPerSecond;
        this.prefixes = prefixes;
    }

    public long Sent => Volatile.Read(ref sent);

    public long Acknowledged => Volatile.Read(ref acknowledged);

    public string? Failure { get; private set; }

    public void Stop() => stop = true;

    public void Run()
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = 30_000, SendTimeout = 30_000 };
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, new UTF8Encoding(false));
            var request = new StringBuilder();
            long start = Stopwatch.GetTimestamp();
            while (!stop)
            {
                long due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * updatesPerSecond);
                long first = sent;
                int count = (int)Math.Min(due - first, MaxInFlight);
                if (count <= 0)
                {
                    Thread.Sleep(10);
                    continue;
                }

                request.Clear();
                for (long k = first; k < first + count; k++)
                {
                    AppendRequest(request, k);
                }

                stream.Write(Encoding.UTF8.GetBytes(request.ToString()));
                Volatile.Write(ref sent, first + count);
                for (long k = first; k < first + count; k++)
                {
                    string line = reader.ReadLine() ?? throw new IOException($"the control socket closed with update {k} unanswered");
                    using var reply = JsonDocument.Parse(line);
                    var root = reply.RootElement;
                    if (root.TryGetProperty("error", out _) || !root.TryGetProperty("result", out _) || root.GetProperty("id").GetInt64() != k)
                    {
                        throw new InvalidOperationException($"update {k} was not acknowledged: {line}");
                    }

                    Volatile.Write(ref acknowledged, acknowledged + 1);
                }
            }
        }
        catch (Exception exception)
        {
            Failure = $"control client: {exception.GetType().Name}: {exception.Message}";
        }
    }

    /// <summary>Update k as one JSON-RPC line (id k).</summary>
    private void AppendRequest(StringBuilder line, long k)
    {
        long pair = k / 4;
        line.Append("{\"jsonrpc\":\"2.0\",\"id\":").Append(k).Append(",\"method\":\"");
        switch (k % 4)
        {
            case 0:
            case 1:
            {
                // Inside: a /28 holding host .1 of the destination prefix of ring frame `pair`, with that prefix's RLOC.
                int prefix = MapCacheGenerator.Destination((int)(pair % 16_384), prefixes);
                uint network = MapCacheGenerator.Ipv4Destination(prefix) & 0xFFFF_FFF0u;
                string eid = $"[{MapCacheGenerator.InstanceId}]{Dotted(network)}/28";
                line.Append(k % 4 == 0 ? "mapcache.add" : "mapcache.remove").Append("\",\"params\":{\"eid\":\"").Append(eid).Append('"');
                if (k % 4 == 0)
                {
                    line.Append(",\"locators\":[{\"address\":\"").Append(Dotted(MapCacheGenerator.Rloc(prefix))).Append("\",\"priority\":1,\"weight\":100}]");
                }

                break;
            }

            default:
            {
                // Outside: 172.16.0.0/12 carries no traffic of the ring.
                uint network = 0xAC10_0000u + ((uint)(pair % 4096) << 8);
                string eid = $"[{MapCacheGenerator.InstanceId}]{Dotted(network)}/24";
                line.Append(k % 4 == 2 ? "mapcache.add" : "mapcache.remove").Append("\",\"params\":{\"eid\":\"").Append(eid).Append('"');
                if (k % 4 == 2)
                {
                    line.Append(",\"locators\":[{\"address\":\"198.51.100.250\",\"priority\":1,\"weight\":100}]");
                }

                break;
            }
        }

        line.Append("}}\n");
    }

    private static string Dotted(uint address) => $"{address >> 24}.{(address >> 16) & 0xFF}.{(address >> 8) & 0xFF}.{address & 0xFF}";
}
