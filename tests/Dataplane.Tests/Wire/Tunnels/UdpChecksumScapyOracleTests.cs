using System.Buffers.Binary;
using Dataplane.Tests.Oracles;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Wire.Tunnels;

/// <summary>Scapy's UDP checksum (pseudo-header included) for the tunnels' outer UDP, over IPv4 and IPv6.</summary>
public class UdpChecksumScapyOracleTests
{
    [Fact]
    public void Udp_over_ipv4_checksum_matches_scapy()
    {
        var vector = ScapyTunnelVectors.Vector("udp4_checksum");
        var udp = vector.Bytes;
        Assert.Equal(vector.Field("checksum"), BinaryPrimitives.ReadUInt16BigEndian(udp.AsSpan(6)));
        Assert.True(Ipv4Address.TryParse(vector.Text("src"), out var source));
        Assert.True(Ipv4Address.TryParse(vector.Text("dst"), out var destination));
        uint pseudo = InternetChecksum.PseudoHeaderSum(source, destination, 17, udp.Length);
        Assert.True(InternetChecksum.IsValid(udp, pseudo));
        udp[6] = udp[7] = 0;
        Assert.Equal(vector.Field("checksum"), InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudo)));
    }

    [Fact]
    public void Udp_over_ipv6_checksum_matches_scapy()
    {
        var vector = ScapyTunnelVectors.Vector("udp6_checksum");
        var udp = vector.Bytes;
        var source = Ipv6Address.Parse(vector.Text("src"));
        var destination = Ipv6Address.Parse(vector.Text("dst"));
        uint pseudo = InternetChecksum.PseudoHeaderSum(source, destination, 17, udp.Length);
        Assert.True(InternetChecksum.IsValid(udp, pseudo));
        udp[6] = udp[7] = 0;
        Assert.Equal(vector.Field("checksum"), InternetChecksum.Finish(InternetChecksum.Sum(udp, pseudo)));
    }
}
