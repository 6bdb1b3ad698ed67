namespace Dataplane.Benchmarks;

/// <summary>
/// ETR path through a whole worker pipeline: classify, LISP decapsulation (RLOC check, LISP header, instance check,
/// local-EID check, RFC 9300 5.3 TTL rule, strip), then routing (FIB, neighbour, TTL decrement, fresh Ethernet
/// header in the headroom). The inner packet is a 64-byte frame's worth (46-byte IPv4/UDP) behind
/// Ethernet / IPv4 / UDP 4341 / LISP: a 96-byte frame on the rloc side.
/// </summary>
public class LispDecapsulationStageBenchmarks : PipelineBenchmarkBase
{
    protected override string Configuration => """
        {
          "roles": [ "etr" ],
          "ports": [
            { "name": "rloc-side", "mac": "02:00:00:00:00:01", "addresses": [ "192.0.2.1" ] },
            { "name": "eid-side", "mac": "02:00:00:00:01:01", "addresses": [ "10.1.0.1" ] }
          ],
          "neighbours": [ { "address": "10.1.0.10", "mac": "02:00:00:00:01:0a", "port": "eid-side" } ],
          "routes": [ { "prefix": "10.1.0.0/24", "port": "eid-side" } ],
          "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "localEids": [ "10.1.0.0/24" ] }
        }
        """;

    // Ethernet / IPv4 198.51.100.1 -> 192.0.2.1 / UDP 49200 -> 4341 (checksum 0) / LISP N+I (nonce 0xabcd, IID 0) /
    // IPv4 10.2.0.5 -> 10.1.0.10 TTL 64 / UDP 5000 -> 5001 / 18 zero bytes (bytes from Scapy).
    protected override byte[] Frame { get; } = Convert.FromHexString(
        "0200000000010200000000fe0800" + "450000520000400040114e65c6336401c0000201" + "c03010f5003e0000" + "8800abcd00000000"
        + "4500002e123400004011547a0a0200050a01000a" + "13881389001ac497" + "000000000000000000000000000000000000");
}
