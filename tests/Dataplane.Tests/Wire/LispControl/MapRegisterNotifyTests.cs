using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Wire.LispControl.LispControlVectors;

namespace Dataplane.Tests.Wire.LispControl;

public class MapRegisterNotifyTests
{
    private static byte[]? Lookup(ushort keyId) => keyId is 1 or 2 ? Key : null;

    [Fact]
    public void Map_register_sha1_vector_parses_and_verifies()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        Assert.True(MapRegister.TryParseVerified(signed, Lookup, out var register, out string error), error);
        Assert.Equal(Nonce, register!.Nonce);
        Assert.Equal(LispAuthentication.HmacSha1_96, register.KeyId);
        Assert.Equal(signed[16..28], register.AuthenticationData);
        Assert.True(register.WantMapNotify);
        Assert.False(register.ProxyReply);
        Assert.False(register.XtrIdPresent);
        var record = Assert.Single(register.Records);
        Assert.Equal(RegisteredMapping, record);
        Assert.Equal(7u, record.Eid.Address.InstanceId);
        Assert.True(LispAuthentication.Verify(signed, MapRegister.AuthenticationDataOffset, 12, 1, Key));
    }

    [Fact]
    public void Map_register_sha1_written_signed_equals_the_oracle()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        var register = new MapRegister(Nonce, LispAuthentication.HmacSha1_96, new byte[12], [RegisteredMapping]) { WantMapNotify = true };
        Assert.Equal(MapRegisterSha1Unsigned, Written(register.Write, register.Size));
        Assert.Equal(signed, Written(d => register.WriteSigned(d, Key), register.Size));
    }

    [Fact]
    public void Map_register_with_the_full_sha1_digest_written_signed_equals_the_oracle()
    {
        byte[] signed = Signed(MapRegisterFullSha1Unsigned, 16, 1, 20);
        var register = new MapRegister(Nonce, LispAuthentication.HmacSha1_96, new byte[LispAuthentication.AuthenticationLength(1)], [RegisteredMapping])
        {
            WantMapNotify = true,
        };
        Assert.Equal(signed, Written(d => register.WriteSigned(d, Key), register.Size));
        Assert.True(MapRegister.TryParseVerified(signed, Lookup, out var parsed, out string error), error);
        Assert.Equal(RegisteredMapping, Assert.Single(parsed!.Records)); // the record starts after 20 bytes, not 12
    }

    [Fact]
    public void Map_register_sha256_with_xtr_id_parses_writes_and_verifies()
    {
        byte[] signed = Signed(MapRegisterSha256Unsigned, 16, 2);
        Assert.True(MapRegister.TryParseVerified(signed, Lookup, out var register, out string error), error);
        Assert.Equal(LispAuthentication.HmacSha256_128, register!.KeyId);
        Assert.Equal(16, register.AuthenticationData.Length);
        Assert.True(register.ProxyReply);
        Assert.False(register.WantMapNotify);
        Assert.True(register.XtrIdPresent);
        Assert.Equal(UInt128.Parse("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", System.Globalization.NumberStyles.HexNumber), register.XtrId);
        Assert.Equal(42ul, register.SiteId);
        var expected = new MapRegister(Nonce, 2, new byte[16], [RegisteredMapping])
        {
            ProxyReply = true,
            XtrIdPresent = true,
            XtrId = register.XtrId,
            SiteId = 42,
        };
        Assert.Equal(signed, Written(d => expected.WriteSigned(d, Key), expected.Size));
        Assert.Equal(expected with { AuthenticationData = signed[16..32] }, register);
    }

    [Fact]
    public void Map_notify_vector_parses_verifies_and_writes()
    {
        byte[] signed = Signed(MapNotifySha1Unsigned, 16, 1);
        Assert.True(MapNotify.TryParseVerified(signed, Lookup, out var notify, out string error), error);
        Assert.False(notify!.IsAcknowledgement);
        Assert.Equal(LispMessageType.MapNotify, notify.Type);
        Assert.Equal(Nonce, notify.Nonce);
        Assert.Equal(RegisteredMapping, Assert.Single(notify.Records));
        var written = new MapNotify(Nonce, 1, new byte[12], [RegisteredMapping]);
        Assert.Equal(signed, Written(d => written.WriteSigned(d, Key), written.Size));
    }

    [Fact]
    public void Map_notify_ack_and_xtr_id_round_trip()
    {
        var ack = new MapNotify(Nonce, 2, new byte[16], [RegisteredMapping, RegisteredMapping with { TtlMinutes = 1 }])
        {
            IsAcknowledgement = true,
            ForRtr = true,
            XtrIdPresent = true,
            XtrId = UInt128.MaxValue - 5,
            SiteId = 9,
        };
        byte[] bytes = Written(d => ack.WriteSigned(d, Key), ack.Size);
        Assert.Equal(0x5C, bytes[0]); // Type 5, I R
        Assert.True(MapNotify.TryParseVerified(bytes, Lookup, out var parsed, out string error), error);
        Assert.Equal(ack with { AuthenticationData = parsed!.AuthenticationData }, parsed);
        Assert.Equal(LispMessageType.MapNotifyAck, parsed.Type);
    }

    [Fact]
    public void Unauthenticated_map_register_round_trips_and_does_not_verify()
    {
        var register = new MapRegister(7, LispAuthentication.None, [], []);
        byte[] bytes = Written(register.Write, register.Size);
        Assert.Equal(16, bytes.Length);
        Assert.True(MapRegister.TryParse(bytes, out var parsed, out string error), error);
        Assert.Equal(register, parsed);
        Assert.False(MapRegister.TryParseVerified(bytes, Lookup, out _, out error));
        Assert.Contains("key id 0", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_signed_with_a_wrong_length_field_is_a_programming_error()
    {
        var register = new MapRegister(7, LispAuthentication.HmacSha1_96, new byte[16], []);
        Assert.Throws<ArgumentException>(() => register.WriteSigned(new byte[100], Key));
        Assert.Throws<ArgumentException>(() => register.Write(new byte[register.Size - 1]));
    }
}
