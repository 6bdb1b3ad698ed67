using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Wire.LispControl.LispControlVectors;

namespace Dataplane.Tests.Wire.LispControl;

public class LispAuthenticationTests
{
    // The whole digest is what we send (SHA-1: 20 bytes, SHA-256: 32); RFC 9301's truncated form on request.
    [Theory]
    [InlineData(LispAuthentication.HmacSha1_96, false, 20)]
    [InlineData(LispAuthentication.HmacSha1_96, true, 12)]
    [InlineData(LispAuthentication.HmacSha256_128, false, 32)]
    [InlineData(LispAuthentication.HmacSha256_128, true, 16)]
    [InlineData(LispAuthentication.None, false, 0)]
    [InlineData(3, false, -1)]
    [InlineData(0x0101, false, 20)] // RFC 9301: Key ID 1, Algorithm ID 1
    public void Authentication_length_follows_the_algorithm(ushort keyId, bool truncated, int length) =>
        Assert.Equal(length, LispAuthentication.AuthenticationLength(keyId, truncated));

    [Theory]
    [InlineData(1, 12, true)]
    [InlineData(1, 20, true)]
    [InlineData(1, 16, false)]
    [InlineData(1, 32, false)]
    [InlineData(1, 0, false)]
    [InlineData(2, 16, true)]
    [InlineData(2, 32, true)]
    [InlineData(2, 20, false)]
    [InlineData(2, 12, false)]
    [InlineData(7, 20, false)]
    public void Either_form_of_the_algorithm_is_an_accepted_length(ushort keyId, int length, bool accepted) =>
        Assert.Equal(accepted, LispAuthentication.IsAcceptedLength(keyId, length));

    [Theory]
    [InlineData(1, 12)]
    [InlineData(1, 20)]
    [InlineData(2, 16)]
    [InlineData(2, 32)]
    public void One_flipped_bit_anywhere_fails_verification(ushort algorithm, int length)
    {
        byte[] unsigned = algorithm == 1 ? WithAuthenticationLength(MapRegisterSha1Unsigned, length) : WithAuthenticationLength(MapRegisterSha256Unsigned, length);
        byte[] signed = Signed(unsigned, 16, algorithm, length);
        Assert.True(LispAuthentication.Verify(signed, 16, length, algorithm, Key));
        for (int bit = 0; bit < signed.Length * 8; bit++)
        {
            byte[] altered = signed.ToArray();
            altered[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            Assert.False(LispAuthentication.Verify(altered, 16, length, algorithm, Key), $"bit {bit} flipped still verifies");
        }
    }

    [Fact]
    public void A_full_sha1_digest_verifies_and_a_wrong_one_does_not()
    {
        byte[] full = Signed(MapRegisterFullSha1Unsigned, 16, 1, 20);
        Assert.True(MapRegister.TryParseVerified(full, _ => Key, out var register, out string error), error);
        Assert.Equal(20, register!.AuthenticationData.Length);
        full[35] ^= 1; // the last byte of the digest: the part the truncated form does not carry still counts
        Assert.False(MapRegister.TryParseVerified(full, _ => Key, out _, out error));
        Assert.Contains("authentication data does not match", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_length_that_fits_neither_form_is_refused_with_its_reason()
    {
        byte[] odd = Signed(WithAuthenticationLength(MapRegisterSha1Unsigned, 16), 16, 2, 16);
        odd[13] = 1; // key id 1 with 16 bytes: SHA-256-128's length, not SHA-1's
        Assert.True(MapRegister.TryParse(odd, out _, out string error), error);
        Assert.False(MapRegister.TryParseVerified(odd, _ => Key, out _, out error));
        Assert.Equal("Map-Register: authentication data length 16 fits neither form of key id 1 (20 or 12)", error);
        Assert.False(LispAuthentication.Verify(odd, 16, 16, 1, Key));
    }

    /// <summary>A vector with its authentication field resized (zeroed) to <paramref name="length"/> bytes.</summary>
    private static byte[] WithAuthenticationLength(byte[] unsigned, int length)
    {
        int current = unsigned[15];
        byte[] resized = [.. unsigned[..16], .. new byte[length], .. unsigned[(16 + current)..]];
        resized[15] = (byte)length;
        return resized;
    }

    [Fact]
    public void Wrong_key_fails()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        Assert.False(LispAuthentication.Verify(signed, 16, 12, 1, "it's a secreT"u8));
        Assert.False(MapRegister.TryParseVerified(signed, _ => "another key"u8.ToArray(), out var message, out string error));
        Assert.Null(message);
        Assert.Contains("authentication data does not match", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_key_id_fails()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        Assert.False(LispAuthentication.Verify(signed, 16, 12, 3, Key));
        Assert.False(LispAuthentication.Verify(signed, 16, 12, LispAuthentication.None, Key));
        Assert.False(MapRegister.TryParseVerified(signed, _ => null, out _, out string error));
        Assert.Equal("Map-Register: no key for key id 1", error);
    }

    [Fact]
    public void Field_outside_the_message_fails_instead_of_throwing()
    {
        byte[] signed = Signed(MapRegisterSha1Unsigned, 16, 1);
        Assert.False(LispAuthentication.Verify(signed, signed.Length - 4, 12, 1, Key));
        Assert.False(LispAuthentication.Verify(signed, -1, 12, 1, Key));
        Assert.False(LispAuthentication.Verify(signed.AsSpan(0, 20), 16, 12, 1, Key));
    }

    [Fact]
    public void Sign_then_verify_round_trips_and_matches_the_oracle()
    {
        byte[] message = MapRegisterSha256Unsigned;
        message[20] = 0x55; // junk in the field: Sign must zero it before hashing
        LispAuthentication.Sign(message, 16, 16, 2, Key);
        Assert.Equal(Signed(MapRegisterSha256Unsigned, 16, 2), message);
        Assert.True(LispAuthentication.Verify(message, 16, 16, 2, Key));
    }
}
