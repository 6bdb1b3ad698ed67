using Dataplane.Wire.LispControl;
using static Dataplane.Tests.Wire.LispControl.LispControlVectors;

namespace Dataplane.Tests.Wire.LispControl;

/// <summary>Truncated, lying and random input: every parser answers false with a named error, never an exception.</summary>
public class MalformedLispControlTests
{
    private delegate bool Parser(ReadOnlySpan<byte> data, out string error);

    private static readonly (string Name, Parser Parse)[] Parsers =
    [
        ("Map-Request", (ReadOnlySpan<byte> d, out string e) => MapRequest.TryParse(d, out _, out e)),
        ("Map-Reply", (ReadOnlySpan<byte> d, out string e) => MapReply.TryParse(d, out _, out e)),
        ("Map-Register", (ReadOnlySpan<byte> d, out string e) => MapRegister.TryParse(d, out _, out e)),
        ("Map-Notify", (ReadOnlySpan<byte> d, out string e) => MapNotify.TryParse(d, out _, out e)),
        ("Change-Priority", (ReadOnlySpan<byte> d, out string e) => ChangePriority.TryParse(d, out _, out e)),
        ("ECM", (ReadOnlySpan<byte> d, out string e) => EncapsulatedControlHeader.TryParseEncapsulated(d, out _, out e)),
        ("dispatch", (ReadOnlySpan<byte> d, out string e) => LispControlMessage.TryParse(d, out _, out e)),
    ];

    public static TheoryData<string> VectorNames => new(
        "Map-Request", "Positive Map-Reply", "Negative Map-Reply", "Map-Register SHA-1", "Map-Register SHA-256",
        "Map-Notify", "Change-Priority", "Change-Priority legacy", "ECM");

    private static byte[] Vector(string name) => name switch
    {
        "Map-Request" => MapRequestBytes,
        "Positive Map-Reply" => PositiveMapReplyBytes,
        "Negative Map-Reply" => NegativeMapReplyBytes,
        "Map-Register SHA-1" => MapRegisterSha1Unsigned,
        "Map-Register SHA-256" => MapRegisterSha256Unsigned,
        "Map-Notify" => MapNotifySha1Unsigned,
        "Change-Priority" => ChangePrioritySha1Unsigned,
        "Change-Priority legacy" => LegacyChangePrioritySha1Unsigned,
        "ECM" => EcmAroundMapRequest,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Every_truncation_is_refused_with_a_message(string name)
    {
        byte[] full = Vector(name);
        Assert.True(LispControlMessage.TryParse(full, out _, out string fullError), fullError);
        for (int length = 0; length < full.Length; length++)
        {
            foreach (var (parser, parse) in Parsers)
            {
                bool ok = parse(full.AsSpan(0, length), out string error);
                Assert.False(ok, $"{parser} accepted {name} cut to {length} bytes");
                Assert.False(string.IsNullOrWhiteSpace(error), $"{parser} gave no error for {name} cut to {length}");
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(4342);
        var buffer = new byte[200];
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length);
            random.NextBytes(buffer);
            // Steer half the cases to a known type so the parsers get past the first check.
            if (i % 2 == 0 && length > 0)
            {
                buffer[0] = (byte)((new[] { 1, 2, 3, 4, 5, 8, 15 }[i / 2 % 7] << 4) | (buffer[0] & 0x0F));
            }

            foreach (var (_, parse) in Parsers)
            {
                if (!parse(buffer.AsSpan(0, length), out string error))
                {
                    Assert.False(string.IsNullOrEmpty(error));
                }
            }
        }
    }

    [Fact]
    public void Map_reply_record_count_255_is_named()
    {
        byte[] bytes = PositiveMapReplyBytes;
        bytes[3] = 255;
        Assert.False(MapReply.TryParse(bytes, out var reply, out string error));
        Assert.Null(reply);
        Assert.StartsWith("Map-Reply: record count 255 runs past the end", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Locator_count_past_the_end_is_named()
    {
        byte[] bytes = PositiveMapReplyBytes;
        bytes[16] = 9; // Locator Count
        Assert.False(MapReply.TryParse(bytes, out _, out string error));
        Assert.Equal("Map-Reply: record 1 locator count 9 runs past the end (needs at least 72 bytes, 36 left)", error);
    }

    [Fact]
    public void Lying_lcaf_length_is_named()
    {
        byte[] bytes = MapRequestBytes;
        bytes[51] = 0x20; // LCAF Length 32, the message has 10 left
        Assert.False(MapRequest.TryParse(bytes, out _, out string error));
        Assert.Contains("record 1 EID-Prefix LCAF length 32 runs past the end", error, StringComparison.Ordinal);
        bytes[51] = 0x08; // LCAF Length 8: fits the buffer but not IID + AFI 1 + IPv4
        Assert.False(MapRequest.TryParse(bytes, out _, out error));
        Assert.Contains("LCAF length 8 does not match its inner AFI 1 (needs 10)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_lcaf_type_is_named()
    {
        byte[] bytes = MapRequestBytes;
        bytes[48] = 5; // LCAF type 5 (Geo) instead of 2
        Assert.False(MapRequest.TryParse(bytes, out _, out string error));
        Assert.Contains("LCAF type 5 is not supported", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_afi_is_named()
    {
        byte[] bytes = PositiveMapReplyBytes;
        bytes[35] = 7; // Loc-AFI of locator 1
        Assert.False(MapReply.TryParse(bytes, out _, out string error));
        Assert.Equal("Map-Reply: record 1 locator 1 AFI 7 is not supported", error);
    }

    [Fact]
    public void Itr_rloc_count_past_the_end_is_named()
    {
        byte[] bytes = MapRequestBytes;
        bytes[2] = 31; // IRC 31: 32 ITR-RLOCs
        Assert.False(MapRequest.TryParse(bytes, out _, out string error));
        Assert.Contains("ITR-RLOC", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Authentication_length_that_runs_past_the_end_is_named()
    {
        byte[] bytes = MapRegisterSha1Unsigned;
        bytes[15] = 200;
        Assert.False(MapRegister.TryParse(bytes, out _, out string error));
        Assert.Contains("authentication data length 200 runs past the end", error, StringComparison.Ordinal);
        bytes[13] = 9; // an unknown algorithm: the length is taken as given, and this one runs past the end
        bytes[15] = 200;
        Assert.False(MapRegister.TryParse(bytes, out _, out error));
        Assert.Contains("authentication data length 200 runs past the end", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Mask_length_longer_than_the_address_is_named()
    {
        byte[] bytes = PositiveMapReplyBytes;
        bytes[17] = 33;
        Assert.False(MapReply.TryParse(bytes, out _, out string error));
        Assert.Contains("EID mask-len 33 is too long", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_type_is_named()
    {
        Assert.False(MapReply.TryParse(MapRequestBytes, out _, out string error));
        Assert.Equal("Map-Reply: type 1 is not 2", error);
        Assert.False(MapRegister.TryParse(PositiveMapReplyBytes, out _, out error));
        Assert.Equal("Map-Register: type 2 is not 3", error);
    }

    [Fact]
    public void Ecm_with_a_lying_inner_header_is_named()
    {
        byte[] bytes = EcmAroundMapRequest;
        bytes[7] = 0xff; // inner IPv4 total length 255
        Assert.False(EncapsulatedControlHeader.TryParseEncapsulated(bytes, out _, out string error));
        Assert.Contains("inner IPv4 total length 255", error, StringComparison.Ordinal);
        bytes = EcmAroundMapRequest;
        bytes[27] = 0xf5; // inner UDP destination port 4341 (data, not control)
        Assert.False(EncapsulatedControlHeader.TryParseEncapsulated(bytes, out _, out error));
        Assert.Contains("destination port 4341", error, StringComparison.Ordinal);
    }
}
