using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Wire.LispControl.LispControlVectors;

namespace Dataplane.Tests.Wire.LispControl;

public class ChangePriorityAndEcmTests
{
    private static byte[]? Lookup(ushort keyId) => keyId == 1 ? Key : null;

    [Fact]
    public void Change_priority_shared_extension_vector_parses_verifies_and_writes()
    {
        byte[] signed = Signed(ChangePrioritySha1Unsigned, 20, 1);
        Assert.True(ChangePriority.TryParse(signed, out var cp, out bool legacy, out string error), error);
        Assert.False(legacy);
        Assert.True(cp!.H);
        Assert.False(cp.C);
        Assert.Equal(Nonce, cp.Nonce);
        Assert.Equal(RegisteredMapping, Assert.Single(cp.Records));
        Assert.True(ChangePriority.TryParseVerified(signed, Lookup, out _, out error), error);
        var written = new ChangePriority(Nonce, 1, new byte[12], [RegisteredMapping]) { H = true };
        Assert.Equal(signed, Written(d => written.WriteSigned(d, Key), written.Size));
        Assert.Equal(0xFC0, ChangePriority.SharedExtensionSubType);
    }

    [Fact]
    public void Change_priority_legacy_type5_vector_parses_verifies_and_writes()
    {
        byte[] signed = Signed(LegacyChangePrioritySha1Unsigned, 16, 1);
        Assert.True(ChangePriority.TryParse(signed, out var cp, out bool legacy, out string error), error);
        Assert.True(legacy);
        Assert.False(cp!.H);
        Assert.True(cp.C);
        Assert.True(ChangePriority.TryParseVerified(signed, Lookup, out _, out error), error);
        var written = new ChangePriority(Nonce, 1, new byte[12], [RegisteredMapping]) { C = true };
        Assert.Equal(signed, Written(d => written.WriteSigned(d, Key, legacyType5: true), written.SizeOf(true)));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Change_priority_round_trips_in_both_encodings(bool h, bool c)
    {
        var cp = new ChangePriority(99, 2, new byte[16], [RegisteredMapping, RegisteredMapping]) { H = h, C = c };
        foreach (bool legacy in new[] { false, true })
        {
            byte[] bytes = Written(d => cp.Write(d, legacy), cp.SizeOf(legacy));
            Assert.True(ChangePriority.TryParse(bytes, out var parsed, out bool wasLegacy, out string error), error);
            Assert.Equal(legacy, wasLegacy);
            Assert.Equal(cp, parsed);
        }
    }

    [Fact]
    public void Other_shared_extension_sub_types_are_refused_by_name()
    {
        byte[] bytes = Signed(ChangePrioritySha1Unsigned, 20, 1);
        bytes[1] = 0xc1;
        Assert.False(ChangePriority.TryParse(bytes, out _, out string error));
        Assert.Contains("sub-type 4033", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ecm_vector_parses_to_the_inner_map_request()
    {
        byte[] ecm = EcmAroundMapRequest;
        Assert.True(EncapsulatedControlHeader.TryParse(ecm, out var header, out int innerIp, out string error), error);
        Assert.Equal(EncapsulatedControlHeader.Plain, header);
        Assert.Equal(4, innerIp);
        Assert.True(EncapsulatedControlHeader.TryParseEncapsulated(ecm, out var inner, out error), error);
        Assert.Equal(Rloc1, inner!.InnerSource.AsIpv4());
        Assert.Equal(Ipv4Address.Parse("198.51.100.1"), inner.InnerDestination.AsIpv4());
        Assert.Equal(54321, inner.InnerSourcePort);
        Assert.Equal(4342, inner.InnerDestinationPort);
        Assert.Equal(32, inner.MessageOffset);
        Assert.True(MapRequest.TryParse(inner.MessageIn(ecm), out var request, out error), error);
        Assert.Equal(MapRequestRecord, request);
        Assert.True(LispControlMessage.TryParse(ecm, out object? message, out error), error);
        Assert.IsType<EncapsulatedControlMessage>(message);
    }

    [Fact]
    public void Ecm_writer_produces_the_vector()
    {
        int size = EncapsulatedControlHeader.EncapsulatedSize(LispAddress.Ipv4(Rloc1), MapRequestBytes.Length);
        byte[] bytes = Written(d => EncapsulatedControlHeader.Plain.WriteEncapsulated(d, LispAddress.Ipv4(Rloc1),
            LispAddress.Ipv4(Ipv4Address.Parse("198.51.100.1")), 54321, MapRequestBytes), size);
        Assert.Equal(EcmAroundMapRequest, bytes);
    }

    [Fact]
    public void Ecm_over_ipv6_with_flags_round_trips()
    {
        var header = new EncapsulatedControlHeader(true, true, true, true);
        var destination = LispAddress.Ipv6(Ipv6Address.Parse("2001:db8::99"));
        int size = EncapsulatedControlHeader.EncapsulatedSize(LispAddress.Ipv6(Rloc2), MapRequestBytes.Length);
        byte[] bytes = Written(d => header.WriteEncapsulated(d, LispAddress.Ipv6(Rloc2), destination, 4342, MapRequestBytes), size);
        Assert.Equal(0x8F, bytes[0]);
        Assert.True(EncapsulatedControlHeader.TryParseEncapsulated(bytes, out var inner, out string error), error);
        Assert.Equal(header, inner!.Header);
        Assert.Equal(destination, inner.InnerDestination);
        Assert.Equal(MapRequestBytes, inner.MessageIn(bytes).ToArray());
        // The UDP checksum over the IPv6 pseudo-header must verify (mandatory for IPv6).
        uint pseudo = Dataplane.Wire.Checksums.InternetChecksum.PseudoHeaderSum(Rloc2, destination.AsIpv6(), 17, 8 + MapRequestBytes.Length);
        Assert.True(Dataplane.Wire.Checksums.InternetChecksum.IsValid(bytes.AsSpan(44), pseudo));
    }

    [Fact]
    public void Dispatch_finds_every_type()
    {
        byte[] register = Signed(MapRegisterSha1Unsigned, 16, 1);
        byte[] notify = Signed(MapNotifySha1Unsigned, 16, 1);
        byte[] cp = Signed(ChangePrioritySha1Unsigned, 20, 1);
        var cases = new (byte[] Bytes, Type Expected, LispMessageType Type)[]
        {
            (MapRequestBytes, typeof(MapRequest), LispMessageType.MapRequest),
            (PositiveMapReplyBytes, typeof(MapReply), LispMessageType.MapReply),
            (register, typeof(MapRegister), LispMessageType.MapRegister),
            (notify, typeof(MapNotify), LispMessageType.MapNotify),
            (cp, typeof(ChangePriority), LispMessageType.SharedExtension),
        };
        foreach (var (bytes, expected, type) in cases)
        {
            Assert.True(LispControlMessage.TryGetType(bytes, out var found));
            Assert.Equal(type, found);
            Assert.True(LispControlMessage.TryParse(bytes, out object? message, out string error), error);
            Assert.IsType(expected, message);
        }

        Assert.False(LispControlMessage.TryGetType([0x60], out _));
        Assert.False(LispControlMessage.TryParse([0x60, 0, 0, 0], out _, out string unknown));
        Assert.Contains("type 6", unknown, StringComparison.Ordinal);
        // Type 5 is Map-Notify-Ack for the dispatcher, even when it is a legacy Change-Priority on the wire.
        Assert.True(LispControlMessage.TryParse(Signed(LegacyChangePrioritySha1Unsigned, 16, 1), out object? ack, out _));
        Assert.True(Assert.IsType<MapNotify>(ack).IsAcknowledgement);
    }
}
