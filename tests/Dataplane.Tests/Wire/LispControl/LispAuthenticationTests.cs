using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Wire.LispControl.LispControlVectors;

namespace Dataplane.Tests.Wire.LispControl;

public class LispAuthenticationTests
{
    [Theory]
    [InlineData(LispAuthentication.HmacSha1_96, 12)]
    [InlineData(LispAuthentication.HmacSha256_128, 16)]
    [InlineData(LispAuthentication.None, 0)]
    [InlineData(3, -1)]
    [InlineData(0x0101, 12)] // RFC 9301: Key ID 1, Algorithm ID 1
    public void Authentication_length_follows_the_algorithm(ushort keyId, int length) =>
        Assert.Equal(length, LispAuthentication.AuthenticationLength(keyId));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void One_flipped_bit_anywhere_fails_verification(ushort algorithm)
    {
        byte[] signed = algorithm == 1 ? Signed(MapRegisterSha1Unsigned, 16, 1) : Signed(MapRegisterSha256Unsigned, 16, 2);
        Assert.True(LispAuthentication.Verify(signed, 16, algorithm, Key));
        for (int bit = 0; bit < signed.Length * 8; bit++)
        {
            byte[] altered = signed.ToArray();
            altered[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            Assert.False(LispAuthentication.Verify(altered, 16, algorithm, Key), $"bit {bit} flipped still verifies");
        }
    }

    [Fact]
    public void Wrong_key_fails()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        Assert.False(LispAuthentication.Verify(signed, 16, 1, "it's a secreT"u8));
        Assert.False(MapRegister.TryParseVerified(signed, _ => "another key"u8.ToArray(), out var message, out string error));
        Assert.Null(message);
        Assert.Contains("authentication data does not match", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_id_fails()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        Assert.False(LispAuthentication.Verify(signed, 16, 3, Key));
        Assert.False(LispAuthentication.Verify(signed, 16, LispAuthentication.None, Key));
        Assert.False(MapRegister.TryParseVerified(signed, _ => null, out _, out string error));
        Assert.Equal("Map-Register: no key for key id 1", error);
    }

    [Fact]
    public void Field_outside_the_message_fails_instead_of_throwing()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        Assert.False(LispAuthentication.Verify(signed, signed.Length - 4, 1, Key));
        Assert.False(LispAuthentication.Verify(signed, -1, 1, Key));
        Assert.False(LispAuthentication.Verify(signed.AsSpan(0, 20), 16, 1, Key));
    }

    [Fact]
    public void Sign_then_verify_round_trips_and_matches_the_oracle()
    {
        byte[] message = MapRegisterSha256Unsigned;
        message[20] = 0x55; // junk in the field: Sign must zero it before hashing
        LispAuthentication.Sign(message, 16, 2, Key);
        Assert.Equal(Signed(MapRegisterSha256Unsigned, 16, 2), message);
        Assert.True(LispAuthentication.Verify(message, 16, 2, Key));
    }
}
