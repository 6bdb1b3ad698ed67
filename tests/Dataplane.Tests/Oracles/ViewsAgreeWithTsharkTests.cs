using Dataplane.Forwarding.Buffers;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Oracles;

/// <summary>
/// The Scapy-made reference capture, read by our pcap reader and our views, gives every field exactly as tshark
/// dissects it: same values, same number of occurrences, same order (outer headers first).
/// </summary>
public class ViewsAgreeWithTsharkTests
{
    private static readonly string[] ComparedFields =
    [
        "eth.src", "eth.dst", "vlan.id", "ieee8021ad.id",
        "arp.opcode", "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
        "ip.src", "ip.dst", "ip.ttl", "ip.proto", "ip.flags.mf", "ip.id",
        "ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.nxt", "ipv6.fraghdr.ident", "ipv6.fraghdr.more",
        "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw",
        "icmp.type", "icmp.code", "icmp.ident", "icmp.seq", "icmp.mtu",
        "icmpv6.type", "icmpv6.code", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number", "icmpv6.mtu",
        "lisp-data.nonce", "lisp-data.iid", "lisp-data.srcmapver", "lisp-data.dstmapver",
        "vxlan.vni", "gtp.message", "gtp.teid", "gtp.ext_hdr.pdu_ses_con.qos_flow_id",
    ];

    [Theory]
    [InlineData("mixed.pcap")]
    [InlineData("mixed.pcapng")]
    public void Every_field_of_every_packet_matches_tshark(string captureName)
    {
        string path = RepositoryPaths.Pcap(captureName);
        var expected = TsharkOracle.Fields(path, ComparedFields);

        using var pool = new PacketPool(bufferCount: 4);
        using var reader = CaptureReader.Open(path, pool);
        var packet = default(PacketDescriptor);
        int frame = 0;
        int comparedValues = 0;
        while (reader.TryRead(ref packet) == CaptureReadResult.Packet)
        {
            var ours = ViewFieldCollector.Collect(packet.Data);
            pool.Free(ref packet);
            Assert.True(frame < expected.Count, $"tshark saw {expected.Count} frames, we read more");
            foreach (string field in ComparedFields)
            {
                string[] theirs = expected[frame][field];
                string[] mine = ours.TryGetValue(field, out var values) ? [.. values] : [];
                Assert.True(theirs.SequenceEqual(mine), $"frame {frame + 1} {field}: tshark [{string.Join(", ", theirs)}], our views [{string.Join(", ", mine)}]");
                comparedValues += theirs.Length;
            }

            frame++;
        }

        Assert.Null(reader.Error);
        Assert.Equal(expected.Count, frame);
        Assert.True(comparedValues > 200, $"only {comparedValues} values compared (expected over 200): the oracle is not looking at much");
    }
}
