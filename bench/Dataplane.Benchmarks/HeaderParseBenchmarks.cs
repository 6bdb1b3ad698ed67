using BenchmarkDotNet.Attributes;
using Dataplane.Wire.Headers;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Benchmarks;

/// <summary>Parsing a LISP-encapsulated frame down to the inner UDP header with the views, as the classifier will.</summary>
[MemoryDiagnoser]
public class HeaderParseBenchmarks
{
    // Ethernet / IPv4 / UDP 4341 / LISP (N, I; iid 7) / IPv4 / UDP: a 64-byte-inner LISP data packet.
    private readonly byte[] _frame = Convert.FromHexString(
        "02000000000b" + "02000000000a" + "0800" +                          // Ethernet
        "45000058" + "00024000" + "40110000" + "c0000201" + "c6336401" +  // IPv4, total 88, UDP
        "ee49" + "10f5" + "0044" + "0000" +                                // UDP 61001 -> 4341, length 68
        "88abcdef" + "00000700" +                                          // LISP: N, I; nonce 0xabcdef; iid 7
        "45000034" + "00070000" + "40110000" + "0a010001" + "0a020001" +  // inner IPv4, total 52, UDP
        "13881389" + "00200000" + new string('0', 48));                    // inner UDP 5000 -> 5001, length 32

    [Benchmark]
    public int ParseOuterAndInner()
    {
        Span<byte> frame = _frame;
        if (!EthernetHeader.TryCreate(frame, out _)
            || !Ipv4Header.TryCreate(frame[EthernetHeader.Length..], out var outer)
            || !UdpHeader.TryCreate(outer.Payload, out var udp)
            || !LispDataHeader.TryCreate(udp.Payload, out var lisp)
            || !Ipv4Header.TryCreate(lisp.Payload, out var inner)
            || !UdpHeader.TryCreate(inner.Payload, out var innerUdp))
        {
            return -1;
        }

        return (int)lisp.InstanceId + innerUdp.DestinationPort;
    }
}
