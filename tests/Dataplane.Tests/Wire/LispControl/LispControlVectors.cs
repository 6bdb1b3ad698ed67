using System.Security.Cryptography;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Wire.LispControl;

/// <summary>
/// Messages laid out by hand from the RFC 9301 figures (sections 5.2-5.8) and RFC 8060 section 4.1, one commented
/// field at a time, with the records our codec should read from them.
/// </summary>
internal static class LispControlVectors
{
    public const ulong Nonce = 0x0102030405060708;

    public static readonly Ipv4Address Rloc1 = Ipv4Address.Parse("192.0.2.1");
    public static readonly Ipv6Address Rloc2 = Ipv6Address.Parse("2001:db8::1");

    // Map-Request, RFC 9301 5.2.
    public static byte[] MapRequestBytes =>
    [
        0x13,                                   // Type=1, A=0 M=0 P=1 S=1
        0x00,                                   // p=0 s=0 R R Rsvd
        0x01,                                   // Rsvd, L=0 D=0, IRC=1 (two ITR-RLOCs)
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x01, 10, 0, 0, 1,                // Source-EID-AFI 1, 10.0.0.1
        0x00, 0x01, 192, 0, 2, 1,               // ITR-RLOC-AFI 1, 192.0.2.1
        0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // ITR-RLOC-AFI 2, 2001:db8::1
        0x00,                                   // Reserved
        24,                                     // EID mask-len
        0x40, 0x03,                             // EID-Prefix-AFI 16387 (LCAF)
        0x00, 0x00,                             // LCAF Rsvd1, Flags
        0x02, 0x20,                             // LCAF Type 2 (Instance ID), IID mask-len 32 (one instance)
        0x00, 0x0a,                             // LCAF Length 10 = IID 4 + AFI 2 + IPv4 4
        0x00, 0x00, 0x00, 0x07,                 // Instance ID 7
        0x00, 0x01, 10, 1, 2, 0,                // AFI 1, 10.1.2.0
    ];

    public static MapRequest MapRequestRecord => new(Nonce, LispAddress.Ipv4(Ipv4Address.Parse("10.0.0.1")),
        [LispAddress.Ipv4(Rloc1), LispAddress.Ipv6(Rloc2)],
        [new LispPrefix(LispAddress.Ipv4(Ipv4Address.Parse("10.1.2.0"), 7), 24)])
    {
        Probe = true,
        Smr = true,
    };

    // Map-Reply, RFC 9301 5.4: one positive record with two locators.
    public static byte[] PositiveMapReplyBytes =>
    [
        0x20, 0x00, 0x00,                       // Type=2, P=0 E=0 S=0, Reserved
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x00, 0x05, 0xa0,                 // Record TTL 1440 minutes
        0x02,                                   // Locator Count 2
        24,                                     // EID mask-len
        0x10, 0x00,                             // ACT=0 (No-Action), A=1, Reserved
        0x00, 0x05,                             // Rsvd, Map-Version 5
        0x00, 0x01, 10, 1, 2, 0,                // EID-Prefix-AFI 1, 10.1.2.0
        1, 50, 255, 0,                          // Priority 1, Weight 50, M Priority 255, M Weight 0
        0x00, 0x05,                             // Unused flags, L=1 p=0 R=1
        0x00, 0x01, 192, 0, 2, 1,               // Loc-AFI 1, 192.0.2.1
        2, 50, 255, 0,                          // Priority 2, Weight 50, M Priority 255, M Weight 0
        0x00, 0x01,                             // L=0 p=0 R=1
        0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // Loc-AFI 2, 2001:db8::1
    ];

    public static MapReply PositiveMapReplyRecord => new(Nonce,
    [
        new MappingRecord(1440, new LispPrefix(LispAddress.Ipv4(Ipv4Address.Parse("10.1.2.0")), 24), MappingAction.NoAction, true, 5,
        [
            new LocatorRecord(1, 50, 255, 0, true, false, true, LispAddress.Ipv4(Rloc1)),
            new LocatorRecord(2, 50, 255, 0, false, false, true, LispAddress.Ipv6(Rloc2)),
        ]),
    ]);

    // Negative Map-Reply: no locators, the action says what to do.
    public static byte[] NegativeMapReplyBytes =>
    [
        0x28, 0x00, 0x00,                       // Type=2, P=1 (answers a probe), Reserved
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x00, 0x00, 0x0f,                 // Record TTL 15 minutes
        0x00,                                   // Locator Count 0
        16,                                     // EID mask-len
        0x40, 0x00,                             // ACT=2 (Send-Map-Request), A=0
        0x00, 0x00,                             // Map-Version 0
        0x00, 0x01, 10, 2, 0, 0,                // EID-Prefix-AFI 1, 10.2.0.0
    ];

    public static MapReply NegativeMapReplyRecord => new(Nonce,
        [new MappingRecord(15, new LispPrefix(LispAddress.Ipv4(Ipv4Address.Parse("10.2.0.0")), 16), MappingAction.SendMapRequest, false, 0, [])])
    {
        Probe = true,
    };

    /// <summary>One mapping record (in instance 7) as Map-Register, Map-Notify and Change-Priority carry it.</summary>
    private static readonly byte[] RegisteredRecord =
    [
        0x00, 0x00, 0x05, 0xa0,                 // Record TTL 1440
        0x01, 24,                               // Locator Count 1, EID mask-len 24
        0x10, 0x00,                             // ACT=0, A=1
        0x00, 0x00,                             // Map-Version 0
        0x40, 0x03, 0x00, 0x00, 0x02, 0x20, 0x00, 0x0a, // LCAF AFI, Rsvd1, Flags, Type 2, IID mask-len 32, Length 10
        0x00, 0x00, 0x00, 0x07,                 // Instance ID 7
        0x00, 0x01, 10, 1, 2, 0,                // AFI 1, 10.1.2.0
        1, 100, 255, 0,                         // Priority 1, Weight 100, M Priority 255, M Weight 0
        0x00, 0x05,                             // L=1 R=1
        0x00, 0x01, 192, 0, 2, 1,               // Loc-AFI 1, 192.0.2.1
    ];

    public static MappingRecord RegisteredMapping => new(1440,
        new LispPrefix(LispAddress.Ipv4(Ipv4Address.Parse("10.1.2.0"), 7), 24), MappingAction.NoAction, true, 0,
        [new LocatorRecord(1, 100, 255, 0, true, false, true, LispAddress.Ipv4(Rloc1))]);

    public static readonly byte[] Key = "it's a secret"u8.ToArray();

    /// <summary>Map-Register, RFC 9301 5.6, HMAC-SHA-1-96, authentication field zeroed (sign it with <see cref="Signed"/>).</summary>
    public static byte[] MapRegisterSha1Unsigned =>
    [
        0x30,                                   // Type=3, P=0 S=0 I=0
        0x00,                                   // Reserved
        0x01,                                   // E T a R = 0, M=1 (want Map-Notify)
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x01,                             // Key ID 0, Algorithm ID 1 (HMAC-SHA-1-96)
        0x00, 0x0c,                             // Authentication Data Length 12
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     // Authentication Data (zeroed)
        .. RegisteredRecord,
    ];

    /// <summary>
    /// Map-Register with the whole 20-byte HMAC-SHA-1, as Open Overlay Router and other deployed stacks send it:
    /// <see cref="MapRegisterSha1Unsigned"/> with a 20-byte field.
    /// </summary>
    public static byte[] MapRegisterFullSha1Unsigned =>
    [
        0x30, 0x00, 0x01, 0x01,                 // Type=3, M=1, Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x01,                             // Key ID 0, Algorithm ID 1 (HMAC-SHA-1)
        0x00, 0x14,                             // Authentication Data Length 20
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // Authentication Data (zeroed)
        .. RegisteredRecord,
    ];

    /// <summary>Map-Register with HMAC-SHA-256-128 and the xTR-ID/site-ID trailer (I=1).</summary>
    public static byte[] MapRegisterSha256Unsigned =>
    [
        0x3a,                                   // Type=3, P=1 S=0 I=1
        0x00, 0x00,                             // Reserved, M=0
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x02,                             // Key ID 0, Algorithm ID 2 (HMAC-SHA-256-128)
        0x00, 0x10,                             // Authentication Data Length 16
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // Authentication Data (zeroed)
        .. RegisteredRecord,
        0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, // xTR-ID
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, // site-ID 42
    ];

    /// <summary>Map-Notify, RFC 9301 5.7: the Map-Register layout with type 4.</summary>
    public static byte[] MapNotifySha1Unsigned =>
    [
        0x40, 0x00, 0x00,                       // Type=4, I=0 R=0, Reserved
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x01, 0x00, 0x0c,                 // Key ID/Algorithm 1, Authentication Data Length 12
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     // Authentication Data (zeroed)
        .. RegisteredRecord,
    ];

    /// <summary>Change-Priority as an RFC 8113 shared extension, sub-type 4032, H=1.</summary>
    public static byte[] ChangePrioritySha1Unsigned =>
    [
        0xff, 0xc0,                             // Type=15, Sub-type 4032 (0xfc0)
        0x00, 0x00,                             // Reserved
        0x80, 0x00, 0x00,                       // H=1 C=0, Reserved
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x01, 0x00, 0x0c,                 // Key ID 1, Authentication Data Length 12
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     // Authentication Data (zeroed)
        .. RegisteredRecord,
    ];

    /// <summary>The legacy Change-Priority: type 5, then H and C, C=1 here.</summary>
    public static byte[] LegacyChangePrioritySha1Unsigned =>
    [
        0x54, 0x00, 0x00,                       // Type=5, H=0 C=1, Reserved
        0x01,                                   // Record Count 1
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // Nonce
        0x00, 0x01, 0x00, 0x0c,                 // Key ID 1, Authentication Data Length 12
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     // Authentication Data (zeroed)
        .. RegisteredRecord,
    ];

    /// <summary>ECM, RFC 9301 5.8, around <see cref="MapRequestBytes"/> (checksums computed by hand with RFC 1071 sums).</summary>
    public static byte[] EcmAroundMapRequest =>
    [
        0x80, 0x00, 0x00, 0x00,                 // Type=8, S=0 D=0 R=0 N=0, Reserved
        0x45, 0x00, 0x00, 0x5a,                 // IPv4, IHL 5, TOS 0, Total Length 90
        0x00, 0x00, 0x00, 0x00,                 // ID 0, flags/fragment 0
        0x40, 0x11, 0x8e, 0x5d,                 // TTL 64, protocol 17, header checksum
        192, 0, 2, 1,                           // source 192.0.2.1 (the ITR)
        198, 51, 100, 1,                        // destination 198.51.100.1 (the Map-Resolver)
        0xd4, 0x31, 0x10, 0xf6,                 // UDP source port 54321, destination 4342
        0x00, 0x46, 0xc1, 0xdf,                 // UDP length 70, checksum (RFC 1071 sum; the IID mask-len 32 in the record takes 0x20 off 0xc1ff)
        .. MapRequestBytes,
    ];

    /// <summary>
    /// The independent oracle: HMAC from System.Security.Cryptography over the bytes with the field zeroed, truncated
    /// to the field's <paramref name="length"/> (by default RFC 9301's 12 / 16 bytes, the length these vectors have).
    /// </summary>
    public static byte[] Signed(byte[] unsigned, int authOffset, ushort algorithm, int? length = null)
    {
        byte[] mac = algorithm == 1 ? HMACSHA1.HashData(Key, unsigned) : HMACSHA256.HashData(Key, unsigned);
        length ??= algorithm == 1 ? 12 : 16;
        byte[] signed = unsigned.ToArray();
        mac.AsSpan(0, length.Value).CopyTo(signed.AsSpan(authOffset));
        return signed;
    }

    public delegate int SpanWrite(Span<byte> destination);

    public static byte[] Written(SpanWrite write, int size)
    {
        var buffer = new byte[size + 7];
        int written = write(buffer);
        Assert.Equal(size, written);
        return buffer[..written];
    }
}
