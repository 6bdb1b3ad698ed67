using BenchmarkDotNet.Attributes;

namespace Dataplane.Benchmarks;

/// <summary>
/// The GTP-U endpoint in a whole pipeline, per packet, over a batch of 256: <c>decap</c> is an uplink G-PDU (outer
/// Ethernet / IPv4 / UDP / GTP-U, 114 bytes) stripped to its 64-byte inner IPv4/UDP packet and then routed to N6;
/// <c>encap</c> is a 64-byte IPv4/UDP downlink packet to a UE address (78-byte frame) put into its tunnel toward the
/// gNB. Frames from Scapy (scapy.contrib.gtp).
/// </summary>
public class GtpUStageBenchmarks : PipelineBenchmarkBase
{
    // Ether / IPv4 192.0.2.10 -> 192.0.2.1 / UDP 2152 / GTP-U TEID 256 / IPv4 10.45.0.2 -> 203.0.113.8 / UDP / 36 zero bytes.
    private static readonly byte[] Uplink = Convert.FromHexString(
        "020000000301020000000a0a080045000064000000004011f67dc000020ac00002010868086800507ea830ff004000000100"
        + "4500004000000000401134760a2d0002cb0071089c40270f002cf60e" + "000000000000000000000000000000000000000000000000000000000000000000000000");

    // Ether / IPv4 203.0.113.8 -> 10.45.0.2 / UDP / 36 zero bytes.
    private static readonly byte[] Downlink = Convert.FromHexString(
        "0200000006010200000006fe0800" + "450000400000000040113476cb0071080a2d0002270f9c40002cf60e"
        + "000000000000000000000000000000000000000000000000000000000000000000000000");

    [Params("decap", "encap")]
    public string Direction { get; set; } = "decap";

    protected override string Configuration => $$"""
        {
          "roles": ["gtpu"],
          "ports": [ {{(Direction == "decap" ? N3 + ", " + N6 : N6 + ", " + N3)}} ],
          "neighbours": [
            { "address": "192.0.2.10", "mac": "02:00:00:00:0a:0a", "port": "n3" },
            { "address": "198.51.100.254", "mac": "02:00:00:00:06:fe", "port": "n6" }
          ],
          "routes": [
            { "prefix": "192.0.2.0/24", "port": "n3" },
            { "prefix": "0.0.0.0/0", "nextHop": "198.51.100.254", "port": "n6" }
          ],
          "gtpu": { "tunnels": [
            { "name": "ue1", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": 256, "teidOut": 512, "ueAddress": "10.45.0.2" }
          ] }
        }
        """;

    protected override byte[] Frame => Direction == "decap" ? Uplink : Downlink;

    private const string N3 = """{ "name": "n3", "mac": "02:00:00:00:03:01", "addresses": ["192.0.2.1"] }""";

    private const string N6 = """{ "name": "n6", "mac": "02:00:00:00:06:01", "addresses": ["198.51.100.1"] }""";
}
