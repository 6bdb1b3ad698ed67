using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Wire.LispControl.LispControlVectors;

namespace Dataplane.Tests.Wire.LispControl;

public class MapRequestReplyTests
{
    [Fact]
    public void Map_request_vector_parses_field_by_field()
    {
        Assert.True(MapRequest.TryParse(MapRequestBytes, out var request, out string error), error);
        Assert.NotNull(request);
        Assert.Equal(Nonce, request.Nonce);
        Assert.True(request.Probe);
        Assert.True(request.Smr);
        Assert.False(request.Authoritative);
        Assert.False(request.MapDataPresent);
        Assert.False(request.Pitr);
        Assert.False(request.SmrInvoked);
        Assert.Equal(Ipv4Address.Parse("10.0.0.1"), request.SourceEid.AsIpv4());
        Assert.Null(request.SourceEid.InstanceId);
        Assert.Equal(2, request.ItrRlocs.Count);
        Assert.True(request.ItrRlocs[0].IsIpv4);
        Assert.Equal(Rloc1, request.ItrRlocs[0].AsIpv4());
        Assert.True(request.ItrRlocs[1].IsIpv6);
        Assert.Equal(Rloc2, request.ItrRlocs[1].AsIpv6());
        var eid = Assert.Single(request.Records);
        Assert.Equal(24, eid.MaskLength);
        Assert.Equal(7u, eid.Address.InstanceId);
        Assert.Equal(Ipv4Address.Parse("10.1.2.0"), eid.Address.AsIpv4());
        Assert.Null(request.MapReplyRecord);
        Assert.Equal(MapRequestRecord, request);
    }

    [Fact]
    public void Map_request_record_writes_the_vector()
    {
        var record = MapRequestRecord;
        Assert.Equal(MapRequestBytes, Written(record.Write, record.Size));
    }

    [Fact]
    public void Map_request_with_every_flag_and_a_map_reply_record_round_trips()
    {
        var request = MapRequestRecord with
        {
            Authoritative = true,
            Pitr = true,
            SmrInvoked = true,
            Probe = false,
            SourceEid = LispAddress.None,
            ItrRlocs = [LispAddress.Ipv6(Rloc2)],
            Records = [new LispPrefix(LispAddress.Ipv6(Ipv6Address.Parse("2001:db8:1::"), 0xFFFF_FFFF), 48), new LispPrefix(LispAddress.Ipv4(Rloc1), 32)],
            MapReplyRecord = PositiveMapReplyRecord.Records[0],
        };
        byte[] bytes = Written(request.Write, request.Size);
        Assert.Equal(0x1D, bytes[0]); // Type 1, A M S
        Assert.Equal(0xC0, bytes[1]); // p s
        Assert.Equal(0x00, bytes[2]); // IRC 0: one ITR-RLOC
        Assert.True(MapRequest.TryParse(bytes, out var parsed, out string error), error);
        Assert.Equal(request, parsed);
        Assert.True(parsed!.MapDataPresent);
    }

    [Fact]
    public void Positive_map_reply_vector_parses_field_by_field()
    {
        Assert.True(MapReply.TryParse(PositiveMapReplyBytes, out var reply, out string error), error);
        Assert.Equal(Nonce, reply!.Nonce);
        Assert.False(reply.Probe);
        var record = Assert.Single(reply.Records);
        Assert.Equal(1440u, record.TtlMinutes);
        Assert.Equal(24, record.Eid.MaskLength);
        Assert.Equal(Ipv4Address.Parse("10.1.2.0"), record.Eid.Address.AsIpv4());
        Assert.Equal(MappingAction.NoAction, record.Action);
        Assert.True(record.Authoritative);
        Assert.Equal(5, record.MapVersion);
        Assert.Equal(2, record.Locators.Count);
        var first = record.Locators[0];
        Assert.Equal((1, 50, 255, 0), (first.Priority, first.Weight, first.MulticastPriority, first.MulticastWeight));
        Assert.True(first.Local);
        Assert.False(first.Probed);
        Assert.True(first.Reachable);
        Assert.Equal(Rloc1, first.Address.AsIpv4());
        var second = record.Locators[1];
        Assert.Equal(2, second.Priority);
        Assert.False(second.Local);
        Assert.True(second.Reachable);
        Assert.Equal(Rloc2, second.Address.AsIpv6());
        Assert.Equal(PositiveMapReplyRecord, reply);
    }

    [Fact]
    public void Negative_map_reply_vector_parses_and_writes()
    {
        Assert.True(MapReply.TryParse(NegativeMapReplyBytes, out var reply, out string error), error);
        Assert.True(reply!.Probe);
        var record = Assert.Single(reply.Records);
        Assert.Empty(record.Locators);
        Assert.Equal(MappingAction.SendMapRequest, record.Action);
        Assert.Equal(15u, record.TtlMinutes);
        Assert.Equal(16, record.Eid.MaskLength);
        Assert.Equal(NegativeMapReplyRecord, reply);
        Assert.Equal(NegativeMapReplyBytes, Written(NegativeMapReplyRecord.Write, NegativeMapReplyRecord.Size));
        Assert.Equal(PositiveMapReplyBytes, Written(PositiveMapReplyRecord.Write, PositiveMapReplyRecord.Size));
    }

    [Fact]
    public void Map_reply_flags_and_every_action_round_trip()
    {
        foreach (MappingAction action in Enum.GetValues<MappingAction>())
        {
            var reply = NegativeMapReplyRecord with
            {
                Probe = false,
                EchoNonceCapable = true,
                Security = true,
                Records = [NegativeMapReplyRecord.Records[0] with { Action = action, MapVersion = 4095, TtlMinutes = MappingRecord.InfiniteTtl }],
            };
            byte[] bytes = Written(reply.Write, reply.Size);
            Assert.Equal(0x26, bytes[0]);
            Assert.True(MapReply.TryParse(bytes, out var parsed, out string error), error);
            Assert.Equal(reply, parsed);
        }
    }

    [Fact]
    public void Records_with_different_locators_are_not_equal()
    {
        var a = PositiveMapReplyRecord;
        var b = PositiveMapReplyRecord with
        {
            Records = [a.Records[0] with { Locators = [a.Records[0].Locators[0]] }],
        };
        Assert.NotEqual(a, b);
        Assert.Equal(a, PositiveMapReplyRecord);
        Assert.Equal(a.GetHashCode(), PositiveMapReplyRecord.GetHashCode());
    }
}
