using Dataplane.Tests.Oracles;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Wire.Tunnels;

/// <summary>Scapy has no LISP layer, so Wireshark's lisp-data dissector judges the LISP headers our setters build.</summary>
public class LispTsharkOracleTests
{
    // A minimal inner IPv4 header so the dissection goes on past LISP without a malformed warning.
    private static readonly byte[] InnerIpv4 = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];

    private static readonly string[] Fields =
    [
        "lisp-data.flags.nonce", "lisp-data.flags.lsb", "lisp-data.flags.enr", "lisp-data.flags.mv", "lisp-data.flags.iid",
        "lisp-data.nonce", "lisp-data.srcmapver", "lisp-data.dstmapver", "lisp-data.iid", "lisp-data.lsb", "lisp-data.lsb8",
        "_ws.malformed", "ip.dst",
    ];

    [Fact]
    public void Nonce_instance_id_and_eight_lsbs_dissect_as_set()
    {
        var values = Dissect(header =>
        {
            header.NoncePresent = true;
            header.LocatorStatusBitsEnabled = true;
            header.EchoNonceRequest = true;
            header.InstanceIdPresent = true;
            header.Nonce = 0xABCDEF;
            header.InstanceId = 7;
            header.LocatorStatusBits = 0x05;
        });

        Assert.Equal(["1", "1", "1", "0", "1"], values[..5]);
        Assert.Equal(0xABCDEFu, TsharkUdpPayloadOracle.Number(values[5]));
        Assert.Equal(7u, TsharkUdpPayloadOracle.Number(values[8]));
        Assert.Equal(5u, TsharkUdpPayloadOracle.Number(values[10]));
        Assert.Equal("", values[11]);
        Assert.Equal("10.0.0.2", values[12]); // the inner header was found right after our 8 bytes
    }

    [Fact]
    public void Map_versions_dissect_as_set()
    {
        var values = Dissect(header =>
        {
            header.MapVersionPresent = true;
            header.SourceMapVersion = 0xABC;
            header.DestinationMapVersion = 0x123;
        });

        Assert.Equal(["0", "0", "0", "1", "0"], values[..5]);
        Assert.Equal(0xABCu, TsharkUdpPayloadOracle.Number(values[6]));
        Assert.Equal(0x123u, TsharkUdpPayloadOracle.Number(values[7]));
        Assert.Equal("", values[11]);
    }

    [Fact]
    public void Thirty_two_lsbs_dissect_as_set()
    {
        var values = Dissect(header =>
        {
            header.LocatorStatusBitsEnabled = true;
            header.LocatorStatusBits = 0x80000003;
        });

        Assert.Equal(["0", "1", "0", "0", "0"], values[..5]);
        Assert.Equal(0x80000003u, TsharkUdpPayloadOracle.Number(values[9]));
        Assert.Equal("", values[11]);
    }

    private delegate void Build(LispDataHeader header);

    private static string[] Dissect(Build build)
    {
        var bytes = new byte[LispDataHeader.Length + InnerIpv4.Length];
        InnerIpv4.CopyTo(bytes, LispDataHeader.Length);
        Assert.True(LispDataHeader.TryCreateForWrite(bytes, out var header));
        build(header);
        return TsharkUdpPayloadOracle.Dissect(bytes, LispDataHeader.DataPort, Fields);
    }
}
