using BenchmarkDotNet.Attributes;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Benchmarks;

/// <summary>
/// The tunnel header views, per parse: one checked <c>TryCreate</c> over the tunnel header (the UDP payload) and the
/// fields a decapsulating stage reads, on headers from Scapy. <c>LispData</c> (RFC 9300: N and I bits, nonce, instance
/// 7), <c>Vxlan</c> (RFC 7348, VNI 5000, inner Ethernet), <c>VxlanGpe</c> (next protocol IPv4, VNI 5000), and
/// <c>GtpUWithPduSessionContainer</c>: a G-PDU with E=1 and a PDU Session Container (TS 38.415, uplink, QFI 9) walked to
/// the T-PDU by <see cref="GtpUHeader.TryWalkToPayload"/>, as the GTP-U endpoint and the TOF do. Every benchmark returns
/// -1 on a failed parse and setup throws if any does or reads a wrong field. Compare with the 67 ns per-packet budget.
/// </summary>
[MemoryDiagnoser]
public class TunnelHeaderParseBenchmarks
{
    private readonly byte[] _lisp = Convert.FromHexString("88abcdef00000700" + "450000340007000040110000" + "0a0100010a020001");
    private readonly byte[] _vxlan = Convert.FromHexString(
        "0800000000138800" + "02aa0000000202000000010108004500002e00010000401166bc0a0000010a00000203e807d0001adfff000000000000000000000000000000000000");
    private readonly byte[] _vxlanGpe = Convert.FromHexString(
        "0c00000100138800" + "4500002e00010000401166bc0a0000010a00000203e807d0001adfff000000000000000000000000000000000000");
    private readonly byte[] _gtpu = Convert.FromHexString(
        "34ff003600001001000000850110090045" + "00002e00010000401134870a2d0002cb0071089c401f90001afdb1000000000000000000000000000000000000");

    [GlobalSetup]
    public void Setup()
    {
        var expected = new (string Name, Func<int> Parse, int Value)[]
        {
            ("LispData", LispData, 7 + 0xABCDEF), ("Vxlan", Vxlan, 5000), ("VxlanGpe", VxlanGpe, 5000 + 1),
            ("GtpUWithPduSessionContainer", GtpUWithPduSessionContainer, 16 + 9 + 0x1001),
        };
        foreach (var (name, parse, value) in expected)
        {
            if (parse() != value)
            {
                throw new InvalidOperationException($"{name} returned {parse()}, expected {value}: the benchmark would not measure a successful parse");
            }
        }
    }

    [Benchmark]
    public int LispData() => LispDataHeader.TryCreate(_lisp, out var lisp) && lisp.NoncePresent && lisp.InstanceIdPresent ? (int)(lisp.InstanceId + lisp.Nonce) : -1;

    [Benchmark]
    public int Vxlan() => VxlanHeader.TryCreate(_vxlan, out var vxlan) && vxlan.VniValid ? (int)vxlan.Vni : -1;

    [Benchmark]
    public int VxlanGpe() => VxlanGpeHeader.TryCreate(_vxlanGpe, out var gpe) && gpe.VniValid && gpe.NextProtocolPresent ? (int)gpe.Vni + (int)gpe.NextProtocol : -1;

    [Benchmark]
    public int GtpUWithPduSessionContainer() =>
        GtpUHeader.TryCreate(_gtpu, out var gtp) && gtp.TryWalkToPayload(out int payloadOffset, out int qfi) ? payloadOffset + qfi + (int)gtp.Teid : -1;
}
