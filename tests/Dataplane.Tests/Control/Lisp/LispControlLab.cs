using Dataplane.Control.Lisp;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// Several LISP control planes on one simulated underlay: what a node injects is delivered to the node that owns the
/// destination address after the link delay, on a shared millisecond clock the test advances. Every message is real
/// bytes, written and parsed by the codecs; only the wire between the nodes is simulated (the namespace tests run
/// the same control plane in real daemons).
/// </summary>
internal sealed class LispControlLab
{
    private readonly List<(long At, Node To, UdpDatagram Datagram)> inFlight = [];
    private long nextTick;

    public long Now { get; private set; }

    /// <summary>One-way delay of every link, in milliseconds (the "delaying relay").</summary>
    public long LinkDelay { get; set; } = 1;

    /// <summary>When set, the one-way delay of each datagram (null: <see cref="LinkDelay"/>): a path with its own delays.</summary>
    public Func<UdpDatagram, long?>? DelayOf { get; set; }

    /// <summary>When set, packets to these addresses are lost (a node gone dark).</summary>
    public HashSet<IpAddress> Unreachable { get; } = [];

    public List<Node> Nodes { get; } = [];

    /// <summary>Messages delivered, for assertions on what went where.</summary>
    public List<(long At, IpAddress From, IpAddress To, byte Type)> Log { get; } = [];

    /// <summary>Every datagram a node sent, in order, delivered or not: for assertions on the bytes on the wire.</summary>
    public List<UdpDatagram> Sent { get; } = [];

    public Node Add(string name, string configJson)
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(configJson), new ForwardingPlaneOptions { Clock = new ManualClock(1000) });
        var node = new Node(name, plane);
        node.Control = LispControlPlane.Create(plane, bytes => Send(bytes), () => Now)
            ?? throw new InvalidOperationException($"{name}: no LISP control plane for this configuration");
        Nodes.Add(node);
        return node;
    }

    /// <summary>Advances the clock by <paramref name="milliseconds"/>, delivering what is due and ticking every node each 10 ms.</summary>
    public void Run(long milliseconds)
    {
        long end = Now + milliseconds;
        while (Now < end)
        {
            Now++;
            foreach (var node in Nodes)
            {
                ((ManualClock)node.Plane.Options.Clock).AdvanceTicks(1);
            }

            for (int i = 0; i < inFlight.Count; i++)
            {
                if (inFlight[i].At <= Now)
                {
                    var (_, to, datagram) = inFlight[i];
                    inFlight.RemoveAt(i--);
                    Log.Add((Now, datagram.Source, datagram.Destination, datagram.Payload.Length > 0 ? (byte)(datagram.Payload[0] >> 4) : (byte)0));
                    to.Control.HandleDatagram(datagram);
                }
            }

            if (Now >= nextTick)
            {
                nextTick = Now + 10;
                foreach (var node in Nodes)
                {
                    node.Control.OnTick(Now);
                }
            }
        }
    }

    /// <summary>Runs until <paramref name="condition"/> holds (checked every millisecond) or the time runs out; returns the time it took.</summary>
    public long RunUntil(Func<bool> condition, long limitMilliseconds)
    {
        long start = Now;
        while (!condition() && Now - start < limitMilliseconds)
        {
            Run(1);
        }

        Assert.True(condition(), $"not reached within {limitMilliseconds} ms");
        return Now - start;
    }

    private bool Send(byte[] ipPacket)
    {
        Assert.True(UdpDatagram.TryReadIp(ipPacket, out var datagram), "a node injected something that is not IP/UDP");
        Sent.Add(datagram);
        var to = Nodes.FirstOrDefault(n => n.Control.Owns(datagram.Destination));
        if (to is not null && !Unreachable.Contains(datagram.Destination))
        {
            inFlight.Add((Now + (DelayOf?.Invoke(datagram) ?? LinkDelay), to, datagram));
        }

        return true;
    }

    public sealed class Node(string name, ForwardingPlane plane)
    {
        public string Name => name;

        public ForwardingPlane Plane => plane;

        public LispControlPlane Control { get; set; } = null!;

        public Dataplane.Forwarding.Lisp.LispTables Tables =>
            Plane.Feature<Dataplane.Forwarding.Lisp.LispDecapsulationFeature>()?.Tables ?? Plane.Feature<Dataplane.Forwarding.Lisp.LispEncapsulationFeature>()!.Tables;

        public MapCacheEntry? Lookup(string eid) =>
            Tables.MapCache.FindLongestMatch(0, IpAddress.Parse(eid));

        public override string ToString() => name;
    }
}
