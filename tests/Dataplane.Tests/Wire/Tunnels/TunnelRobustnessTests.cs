using Dataplane.Wire.Tunnels;

namespace Dataplane.Tests.Wire.Tunnels;

/// <summary>
/// Hostile input: truncations, random bytes, chains that never end, lengths that lie. A span read out of bounds throws,
/// so "no exception from any getter" is the same as "no out-of-bounds read"; each buffer is an exact-size copy.
/// </summary>
public class TunnelRobustnessTests
{
    private static readonly byte[] Tpdu = [0x45, 0x00, 0x00, 0x14, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];

    private static byte[] GtpWithContainer()
    {
        var bytes = new byte[GtpUGPduWriter.HeaderLengthWithPduSessionContainer + Tpdu.Length];
        Tpdu.CopyTo(bytes, GtpUGPduWriter.HeaderLengthWithPduSessionContainer);
        GtpUGPduWriter.TryWriteWithPduSessionContainer(bytes, 0xABCD, Tpdu.Length, PduSessionInformationType.Downlink, 9, true, out _);
        return bytes;
    }

    private static byte[] GtpWithChain(params byte[][] extensions)
    {
        // E set, next type of the GTP header = type of the first extension; each extension array is complete.
        var body = extensions.SelectMany(e => e).ToArray();
        byte[] header = [0x34, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x85];
        var bytes = header.Concat(body).Concat(Tpdu).ToArray();
        bytes[2] = (byte)((bytes.Length - 8) >> 8);
        bytes[3] = (byte)(bytes.Length - 8);
        return bytes;
    }

    [Fact]
    public void Every_truncation_of_a_valid_gtp_packet_is_safe_and_refused_when_short()
    {
        var full = GtpWithContainer();
        for (int length = 0; length <= full.Length; length++)
        {
            var bytes = full[..length];
            bool accepted = GtpUHeader.TryCreate(bytes, out var header);
            Assert.Equal(length == full.Length, accepted);
            if (accepted)
            {
                TouchEverything(header);
            }
        }
    }

    [Fact]
    public void Every_truncation_of_lisp_and_vxlan_is_safe()
    {
        byte[] full = [0x88, 0xAB, 0xCD, 0xEF, 0, 0, 7, 0, .. Tpdu];
        for (int length = 0; length <= full.Length; length++)
        {
            var bytes = full[..length];
            Assert.Equal(length >= 8, LispDataHeader.TryCreate(bytes, out var lisp));
            Assert.Equal(length >= 8, VxlanHeader.TryCreate(bytes, out var vxlan));
            Assert.Equal(length >= 8, VxlanGpeHeader.TryCreate(bytes, out var gpe));
            Assert.Equal(length >= 8, LispDataHeader.TryCreateForWrite(bytes, out _));
            Assert.Equal(length >= 8, VxlanHeader.TryCreateForWrite(bytes, out _));
            Assert.Equal(length >= 8, VxlanGpeHeader.TryCreateForWrite(bytes, out _));
            if (length >= 8)
            {
                TouchEverything(lisp);
                TouchEverything(vxlan);
                TouchEverything(gpe);
            }
        }
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var rng = new Random(2152);
        int acceptedGtp = 0;
        for (int trial = 0; trial < 200_000; trial++)
        {
            var bytes = new byte[rng.Next(0, 48)];
            rng.NextBytes(bytes);
            if (bytes.Length >= 4 && trial % 2 == 0)
            {
                // Steer half the inputs past the version and length checks so the extension walker sees them.
                bytes[0] = (byte)(0x30 | (bytes[0] & 0x0F));
                bytes[2] = 0;
                bytes[3] = (byte)rng.Next(0, Math.Max(1, bytes.Length - 7));
            }

            if (GtpUHeader.TryCreate(bytes, out var gtp))
            {
                acceptedGtp++;
                TouchEverything(gtp);
                Assert.InRange(gtp.HeaderLength + gtp.Payload.Length, 8, bytes.Length);
            }

            if (LispDataHeader.TryCreate(bytes, out var lisp))
            {
                TouchEverything(lisp);
            }

            if (VxlanHeader.TryCreate(bytes, out var vxlan))
            {
                TouchEverything(vxlan);
            }

            if (VxlanGpeHeader.TryCreate(bytes, out var gpe))
            {
                TouchEverything(gpe);
            }
        }

        Assert.True(acceptedGtp > 1000, $"only {acceptedGtp} random GTP-U inputs got past TryCreate");
    }

    [Fact]
    public void A_chain_that_promises_another_extension_at_the_end_of_the_buffer_is_refused()
    {
        // The container says another 0x85 follows, but the length field ends right after it.
        byte[] bytes = [0x34, 0xFF, 0x00, 0x08, 0, 0, 0, 1, 0, 0, 0, 0x85, 0x01, 0x00, 0x09, 0x85];
        Assert.False(GtpUHeader.TryCreate(bytes, out _));

        // Same, with bytes in the buffer beyond the length field: the walk must not read them.
        byte[] padded = [.. bytes, 0x01, 0x00, 0x09, 0x00];
        Assert.False(GtpUHeader.TryCreate(padded, out _));
    }

    [Fact]
    public void A_zero_length_extension_is_refused()
    {
        var bytes = GtpWithChain([0x00, 0x00, 0x09, 0x00]);
        Assert.False(GtpUHeader.TryCreate(bytes, out _));
    }

    [Fact]
    public void An_extension_longer_than_the_message_is_refused()
    {
        var bytes = GtpWithChain([0x01, 0x00, 0x09, 0x00]);
        bytes[12] = 0xFF; // 1020 octets promised
        Assert.False(GtpUHeader.TryCreate(bytes, out _));
    }

    [Fact]
    public void Length_fields_that_lie_are_refused()
    {
        var bytes = GtpWithContainer();
        bytes[3]++; // one octet more than the buffer
        Assert.False(GtpUHeader.TryCreate(bytes, out _));

        bytes = GtpWithContainer();
        bytes[2] = 0;
        bytes[3] = 3; // E set but fewer than the 4 optional octets
        Assert.False(GtpUHeader.TryCreate(bytes, out _));

        bytes = GtpWithContainer();
        bytes[3] = 6; // covers the optional octets but cuts the container in half
        Assert.False(GtpUHeader.TryCreate(bytes, out _));

        bytes = GtpWithContainer();
        bytes[3] = 8; // exactly the optional octets and the container: valid, empty T-PDU
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));
        Assert.Equal(0, header.Payload.Length);
    }

    [Fact]
    public void Chains_are_bounded_to_eight_extensions()
    {
        byte[] Link(byte next) => [0x01, 0x00, 0x09, next];
        var eight = Enumerable.Range(0, 8).Select(i => Link(i == 7 ? (byte)0 : (byte)0x85)).ToArray();
        Assert.True(GtpUHeader.TryCreate(GtpWithChain(eight), out var header));
        int count = 0;
        foreach (var extension in header.ExtensionHeaders)
        {
            count++;
        }

        Assert.Equal(8, count);

        var nine = Enumerable.Range(0, 9).Select(i => Link(i == 8 ? (byte)0 : (byte)0x85)).ToArray();
        Assert.False(GtpUHeader.TryCreate(GtpWithChain(nine), out _));
    }

    [Fact]
    public void Getters_stay_in_bounds_after_setters_make_the_header_lie()
    {
        var bytes = GtpWithContainer();
        Assert.True(GtpUHeader.TryCreate(bytes, out var header));

        header.Length = ushort.MaxValue; // now promises far more than the buffer
        TouchEverything(header);
        Assert.Equal(bytes.Length - 16, header.Payload.Length);

        header.Length = 2; // now too short for the optional fields
        TouchEverything(header);
        Assert.Equal(0, header.Payload.Length);
        Assert.Equal(8, header.HeaderLength);

        header.Length = (ushort)(bytes.Length - 8);
        bytes[12] = 0; // zero-length container
        TouchEverything(header);
        var walker = header.ExtensionHeaders;
        Assert.False(walker.SkipToEnd());
        Assert.True(walker.IsMalformed);
        Assert.Equal(0, header.Payload.Length);
        Assert.False(header.TryGetPduSessionContainer(out _));

        var tiny = new byte[8];
        Assert.True(GtpUHeader.TryCreateForWrite(tiny, out var unfinished));
        unfinished.Flags = 0x37;
        unfinished.Length = 100;
        TouchEverything(unfinished);
        unfinished.SequenceNumber = 1;
        unfinished.NPduNumber = 1;
        unfinished.NextExtensionHeaderType = GtpUExtensionHeaderType.PduSessionContainer;
        Assert.Equal(new byte[] { 0x37, 0, 0, 100, 0, 0, 0, 0 }, tiny);
    }

    private static void TouchEverything(GtpUHeader header)
    {
        _ = (header.Flags, header.Version, header.ProtocolType, header.Reserved, header.ExtensionHeaderPresent);
        _ = (header.SequenceNumberPresent, header.NPduNumberPresent, header.HasOptionalFields, header.MessageType);
        _ = (header.Length, header.Teid, header.SequenceNumber, header.NPduNumber, header.NextExtensionHeaderType);
        _ = (header.HeaderLength, header.Message.Length, header.Payload.Length);
        foreach (var extension in header.ExtensionHeaders)
        {
            _ = (extension.Type, extension.Length, extension.Content.Length, extension.NextType);
            extension.TryGetUdpPort(out _);
            if (extension.TryGetPduSessionContainer(out var container))
            {
                _ = (container.PduType, container.Qfi, container.Rqi, container.Ppp, container.HasPpi, container.Ppi, container.Content.Length);
            }
        }

        header.TryGetPduSessionContainer(out _);
        header.TryGetUdpPort(out _);
    }

    private static void TouchEverything(LispDataHeader header)
    {
        _ = (header.Flags, header.NoncePresent, header.LocatorStatusBitsEnabled, header.EchoNonceRequest, header.MapVersionPresent);
        _ = (header.InstanceIdPresent, header.ReservedFlags, header.HasMapVersions, header.Nonce, header.SourceMapVersion);
        _ = (header.DestinationMapVersion, header.InstanceId, header.LocatorStatusBits, header.HeaderLength, header.Payload.Length);
    }

    private static void TouchEverything(VxlanHeader header) =>
        _ = (header.Flags, header.VniValid, header.Reserved1, header.Vni, header.Reserved2, header.HeaderLength, header.Payload.Length);

    private static void TouchEverything(VxlanGpeHeader header) =>
        _ = (header.Flags, header.Version, header.VniValid, header.NextProtocolPresent, header.Bum, header.Oam, header.Reserved1,
             header.NextProtocol, header.Vni, header.Reserved2, header.HeaderLength, header.Payload.Length);
}
