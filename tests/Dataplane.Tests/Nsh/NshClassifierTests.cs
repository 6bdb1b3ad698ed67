using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Nsh;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Tests.Fragments;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Nsh;

/// <summary>
/// The classifier's half of NSH (what a traffic rule's servicePath action calls): a native packet gets NSH MD type 1
/// with TTL 63 and SI 255 (RFC 8300 sections 2.2, 2.3) and goes to the path's first function in its transport. The
/// expected frames are built by Scapy (scapy.contrib.nsh), the outer UDP source port by the golden suite's own
/// implementation of the VXLAN hash (pcaps/golden/generate_vxlan.py).
/// </summary>
public sealed class NshClassifierTests : IDisposable
{
    private const string Inner = "IP(src='10.9.0.7', dst='10.1.0.5', ttl=64, id=1) / UDP(sport=40000, dport=443) / Raw(b'chain')";

    private readonly PacketPool pool = new(bufferCount: 64);
    private readonly PacketBatch batch = new();

    [Theory]
    [InlineData(10u, "to_fw1(NSH(mdtype=1, ttl=63, nextproto=1, spi=10, si=255) / inner, inner)")] // hop 0 over VXLAN-GPE
    [InlineData(20u, "to_dpi1(NSH(mdtype=1, ttl=63, nextproto=1, spi=20, si=255) / inner)")] // hop 0 over Ethernet
    public void A_classified_packet_leaves_with_nsh_for_the_first_hop(uint spi, string expectedFrame)
    {
        var (plane, forwarder) = Plane();
        var frames = Scapy($"Ether(src='02:00:00:00:0a:07', dst='02:00:00:00:00:1a') / inner", expectedFrame);
        ref var packet = ref Classified(frames[0], plane);
        var counters = new WorkerCounters();

        Assert.Equal(DropReason.None, forwarder.Classify(ref packet, spi, counters));

        Assert.Equal(PacketDisposition.Transmit, packet.Disposition);
        Assert.Equal(spi == 10 ? (ushort)0 : (ushort)1, packet.EgressPort); // underlay, or the function's port "sf"
        Assert.Equal(Convert.ToHexString(frames[1]), Convert.ToHexString(packet.Data));
        Assert.Equal(1, counters.Counted(ForwardingEvent.NshClassified));
        Assert.Equal(1, plane.Feature<NshFeature>()!.Tables.Paths[spi].Counters.Packets);
    }

    [Fact]
    public void An_unknown_path_is_refused_and_the_packet_left_as_it_was()
    {
        var (plane, forwarder) = Plane();
        var frames = Scapy($"Ether(src='02:00:00:00:0a:07', dst='02:00:00:00:00:1a') / inner");
        ref var packet = ref Classified(frames[0], plane);

        Assert.Equal(DropReason.NshUnknownPath, forwarder.Classify(ref packet, 99, new WorkerCounters()));
        Assert.Equal(Convert.ToHexString(frames[0]), Convert.ToHexString(packet.Data));
    }

    private (ForwardingPlane Plane, NshForwarder Forwarder) Plane()
    {
        var plane = ForwardingPlaneBuilder.Build(DataplaneConfigFile.Load(new GoldenCase("nsh-sff-hop").ConfigPath));
        var forwarder = plane.Feature<NshFeature>()!.CreateForwarder();
        forwarder.BeginBatch();
        return (plane, forwarder);
    }

    private ref PacketDescriptor Classified(byte[] frame, ForwardingPlane plane)
    {
        FragmentFrames.Add(batch, pool, frame, port: 2);
        ref var packet = ref batch.AsSpan()[^1];
        Assert.Equal(DropReason.None, ClassifyStage.Classify(ref packet, plane.TunnelEndpoints));
        Assert.Equal(PacketKind.NativeIpv4, packet.Kind);
        return ref packet;
    }

    /// <summary>Each expression (with <c>inner</c> bound to the inner packet) as bytes, built by Scapy and generate_nsh.py's helpers.</summary>
    private static byte[][] Scapy(params string[] expressions)
    {
        string golden = Path.Combine(RepositoryPaths.Root, "pcaps", "golden");
        string[] lines =
        [
            $"import sys; sys.path.insert(0, {Quoted(golden)})",
            "from scapy.all import Ether, IP, UDP, Raw",
            "from scapy.contrib.nsh import NSH",
            "from generate_nsh import to_fw1, to_dpi1",
            $"inner = {Inner}",
            .. expressions.Select(e => $"print(bytes({e}).hex())"),
        ];
        string script = string.Join('\n', lines);
        return ScapyOracle.Run("-c", script).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Convert.FromHexString).ToArray();
    }

    private static string Quoted(string text) => "'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    public void Dispose() => pool.Dispose();
}
