using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Stages;
using Dataplane.Forwarding.Lisp;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Forwarding;

public sealed class LispEncapsulatorTests : IDisposable
{
    private static readonly LispEncapsulation Encapsulation = new(
        MacAddress.Parse("02:00:00:00:aa:01"), MacAddress.Parse("02:00:00:00:bb:01"),
        Ipv4Address.Parse("192.0.2.1"), Ipv4Address.Parse("198.51.100.7"),
        InstanceId: 7, Nonce: 0xABCDEF, SourcePort: 61001, DontFragment: true);

    private readonly PacketPool _pool = new(bufferCount: 64);
    private readonly PacketBatch _batch = new();
    private readonly string _output = Path.Combine(Path.GetTempPath(), $"dataplane-itr-{Guid.NewGuid():N}.pcap");

    [Theory]
    [InlineData(0)]  // Ethernet / IPv4 / ICMP echo
    [InlineData(12)] // Ethernet / IPv6 / ICMPv6 echo reply
    public void Encapsulated_bytes_equal_what_scapy_builds_from_the_rfc_rules(int packetIndex)
    {
        ReadMixedCapture();
        ClassifyStage.Run(_batch, new WorkerCounters());
        ref var packet = ref _batch[packetIndex];
        int innerStart = packet.L3Offset - packet.DataOffset;
        byte[] inner = packet.Data[innerStart..].ToArray();

        Assert.True(LispEncapsulator.TryEncapsulateOverIpv4(ref packet, Encapsulation));

        // Scapy builds the expected frame from the RFC 9300 section 5.3 rules: outer TTL and traffic class copied
        // from the inner header, IP id 0, DF, UDP checksum 0, LISP flags N and I (0x88), nonce, IID << 8.
        bool innerIsV4 = inner[0] >> 4 == 4;
        byte ttl = innerIsV4 ? inner[8] : inner[7];
        int trafficClass = innerIsV4 ? inner[1] : ((inner[0] & 0x0F) << 4) | (inner[1] >> 4);
        string script = $"""
            from scapy.all import Ether, IP, UDP, Raw
            inner = bytes.fromhex("{Convert.ToHexString(inner)}")
            lisp = bytes([0x88, 0xAB, 0xCD, 0xEF, 0x00, 0x00, 0x07, 0x00])
            p = Ether(src="02:00:00:00:aa:01", dst="02:00:00:00:bb:01") / IP(src="192.0.2.1", dst="198.51.100.7", ttl={ttl}, tos={trafficClass}, id=0, flags="DF") / UDP(sport=61001, dport=4341, chksum=0) / Raw(lisp + inner)
            print(bytes(p).hex())
            """;
        byte[] expected = Convert.FromHexString(ScapyOracle.Run("-c", script).Trim());

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(packet.Data));
        Assert.Equal(packet.DataOffset + LispEncapsulator.OuterIpv4Overhead, packet.InnerL3Offset);
    }

    [Fact]
    public void Tshark_dissects_every_encapsulated_packet_cleanly_with_the_fields_we_meant()
    {
        ReadMixedCapture();
        ClassifyStage.Run(_batch, new WorkerCounters());
        int encapsulated = 0;
        using (var writer = new PcapWriter(_output, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds, 65535))
        {
            for (int i = 0; i < _batch.Count; i++)
            {
                ref var packet = ref _batch[i];
                if (packet.Kind is PacketKind.NativeIpv4 or PacketKind.NativeIpv6 && !packet.IsDropped
                    && LispEncapsulator.TryEncapsulateOverIpv4(ref packet, Encapsulation))
                {
                    writer.Write(packet.Data, i);
                    encapsulated++;
                }
            }
        }

        Assert.True(encapsulated >= 8, $"only {encapsulated} packets encapsulated");
        Assert.Empty(TsharkOracle.Problems(_output));
        var frames = TsharkOracle.Fields(_output, "ip.src", "udp.dstport", "lisp-data.iid", "lisp-data.nonce", "ip.checksum.status");
        Assert.Equal(encapsulated, frames.Count);
        foreach (var frame in frames)
        {
            Assert.Equal("192.0.2.1", frame["ip.src"][0]);
            Assert.Equal("4341", frame["udp.dstport"][0]);
            Assert.Equal(["7"], frame["lisp-data.iid"]);
            Assert.Equal([$"{0xABCDEF}"], frame["lisp-data.nonce"]);
        }
    }

    [Fact]
    public void Too_little_headroom_leaves_the_packet_untouched()
    {
        using var tightPool = new PacketPool(bufferCount: 1, frameCapacity: 256, headroom: 128);
        var packet = default(PacketDescriptor);
        Assert.True(tightPool.TryAllocate(ref packet));
        // Push the frame start to the buffer start: prepend the whole headroom, then write a 34-byte Ethernet/IPv4 frame.
        Assert.True(packet.TryPrepend(packet.Headroom, out _));
        Assert.True(packet.TrySetLength(34));
        packet.Data.Clear();
        packet.Data[14] = 0x45;
        packet.L3Offset = (ushort)(packet.DataOffset + 14);
        byte[] before = packet.Data.ToArray();

        Assert.False(LispEncapsulator.TryEncapsulateOverIpv4(ref packet, Encapsulation));
        Assert.Equal(before, packet.Data.ToArray());
        tightPool.Free(ref packet);
    }

    private void ReadMixedCapture()
    {
        using var reader = CaptureReader.Open(RepositoryPaths.Pcap("mixed.pcap"), _pool);
        Assert.Equal(CaptureReadResult.EndOfFile, reader.ReadBatch(_batch));
    }

    public void Dispose()
    {
        _pool.Free(_batch);
        _pool.Dispose();
        File.Delete(_output);
    }
}
