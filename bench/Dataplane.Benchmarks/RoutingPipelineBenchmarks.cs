namespace Dataplane.Benchmarks;

/// <summary>Native IPv4 forwarding: classify, FIB lookup, neighbour lookup, TTL decrement, Ethernet rewrite; a 64-byte frame.</summary>
public class RoutingPipelineBenchmarks : PipelineBenchmarkBase
{
    protected override string Configuration => """
        {
          "ports": [ { "name": "lan", "mac": "02:00:00:00:00:01" }, { "name": "wan", "mac": "02:00:00:00:00:02" } ],
          "neighbours": [ { "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "wan" } ],
          "routes": [ { "prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "wan" } ]
        }
        """;

    // Ethernet / IPv4 10.1.0.1 -> 198.51.100.7 TTL 64 / UDP 5000 -> 5001 / 18 zero bytes: 60 bytes, a 64-byte frame on
    // the wire with its FCS (bytes from Scapy).
    protected override byte[] Frame { get; } = Convert.FromHexString(
        "020000000001020000000a010800" + "4500002e00000000401146830a010001c6336407" + "13881389001a0000" + "000000000000000000000000000000000000");
}
