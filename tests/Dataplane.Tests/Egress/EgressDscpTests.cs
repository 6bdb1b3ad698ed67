using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Egress;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Egress;

/// <summary>
/// The DSCP the scheduler classes a frame by, against frames Scapy builds: IPv4 TOS and IPv6 Traffic Class (ECN bits
/// set too, which must not leak into the DSCP), behind 0, 1 and 2 VLAN tags, bare IP, and frames that carry no IP
/// header (ARP, truncated), which go to best effort.
/// </summary>
public sealed class EgressDscpTests
{
    private const string Script = """
        from scapy.all import Ether, Dot1Q, Dot1AD, IP, IPv6, UDP, ARP, raw
        cases = [
          ("eth-ipv4", Ether()/IP(tos=(46<<2)|3)/UDP(), 46),
          ("eth-ipv6", Ether()/IPv6(tc=(34<<2)|1)/UDP(), 34),
          ("eth-ipv6-63", Ether()/IPv6(tc=0xff, fl=0xfffff)/UDP(), 63),
          ("vlan-ipv4", Ether()/Dot1Q(vlan=7)/IP(tos=10<<2)/UDP(), 10),
          ("qinq-ipv6", Ether()/Dot1AD(vlan=5)/Dot1Q(vlan=7)/IPv6(tc=26<<2)/UDP(), 26),
          ("eth-arp", Ether()/ARP(), -1),
          ("eth-ipv4-truncated", raw(Ether()/IP(tos=46<<2))[:15], -1),
          ("ip-ipv4", IP(tos=18<<2)/UDP(), 18),
          ("ip-ipv6", IPv6(tc=48<<2)/UDP(), 48),
        ]
        for name, frame, dscp in cases:
            print(name, raw(frame).hex(), dscp)
        """;

    [Fact]
    public void The_dscp_read_from_the_frame_is_the_one_Scapy_wrote()
    {
        var lines = ScapyOracle.Run("-c", Script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(9, lines.Length);
        foreach (string line in lines)
        {
            string[] fields = line.Split(' ');
            byte[] frame = Convert.FromHexString(fields[1]);
            var format = fields[0].StartsWith("ip-", StringComparison.Ordinal) ? FrameFormat.RawIp : FrameFormat.Ethernet;
            Assert.True(int.Parse(fields[2]) == EgressDscp.Read(frame, format), $"{fields[0]}: expected {fields[2]}, read {EgressDscp.Read(frame, format)}");
        }
    }

    [Fact]
    public void Every_prefix_of_a_frame_is_read_without_going_out_of_it()
    {
        byte[] frame = Convert.FromHexString("ffffffffffff020000000001" + "88a8" + "0005" + "8100" + "0007" + "86dd" + "6680000000000000");
        for (int length = 0; length <= frame.Length; length++)
        {
            int dscp = EgressDscp.Read(frame.AsSpan(0, length), FrameFormat.Ethernet);
            Assert.Equal(length >= 24 ? 26 : -1, dscp);
        }
    }
}
