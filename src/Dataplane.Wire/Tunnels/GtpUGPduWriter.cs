using System.Buffers.Binary;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// Writes the GTP-U header in front of a T-PDU when encapsulating (the TOF's replies, a UPF's downlink): either the
/// bare 8 octets, or 16 with E set and one PDU Session Container carrying the QFI, as 5G N3 requires.
/// The caller points <c>destination</c> at the headroom right before the T-PDU.
/// </summary>
public static class GtpUGPduWriter
{
    public const int HeaderLength = GtpUHeader.MandatoryLength;

    /// <summary>8 mandatory + 4 optional + a 4-octet container (length 1, PDU type, QFI octet, next-type 0).</summary>
    public const int HeaderLengthWithPduSessionContainer = GtpUHeader.MandatoryLength + GtpUHeader.OptionalFieldsLength + 4;

    private const byte GtpV1Flags = (GtpUHeader.Version1 << 5) | GtpUHeader.ProtocolTypeFlag;

    /// <summary>A plain G-PDU header (flags 0x30). False when the destination is short or the length cannot be encoded.</summary>
    public static bool TryWrite(Span<byte> destination, uint teid, int tPduLength, out int written)
    {
        written = 0;
        if (destination.Length < HeaderLength || tPduLength < 0 || tPduLength > ushort.MaxValue)
        {
            return false;
        }

        WriteMandatory(destination, GtpV1Flags, teid, (ushort)tPduLength);
        written = HeaderLength;
        return true;
    }

    /// <summary>
    /// A G-PDU header with E set (flags 0x34) and one PDU Session Container. <paramref name="rqi"/> is a DL field
    /// and is ignored for UL. False when the destination is short, the QFI does not fit 6 bits or the length overflows.
    /// </summary>
    public static bool TryWriteWithPduSessionContainer(
        Span<byte> destination, uint teid, int tPduLength, PduSessionInformationType pduType, byte qfi, bool rqi, out int written)
    {
        written = 0;
        int extra = HeaderLengthWithPduSessionContainer - GtpUHeader.MandatoryLength;
        if (destination.Length < HeaderLengthWithPduSessionContainer || tPduLength < 0 || tPduLength > ushort.MaxValue - extra
            || qfi > 0x3F || (byte)pduType > 1)
        {
            return false;
        }

        WriteMandatory(destination, GtpV1Flags | GtpUHeader.ExtensionHeaderFlag, teid, (ushort)(tPduLength + extra));

        // Sequence number 0, N-PDU number 0, next extension: PDU Session Container.
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (byte)GtpUExtensionHeaderType.PduSessionContainer);

        bool downlinkRqi = rqi && pduType == PduSessionInformationType.Downlink;
        destination[12] = 1;
        destination[13] = (byte)((byte)pduType << 4);
        destination[14] = (byte)((downlinkRqi ? 0x40 : 0) | qfi);
        destination[15] = (byte)GtpUExtensionHeaderType.NoMoreExtensionHeaders;
        written = HeaderLengthWithPduSessionContainer;
        return true;
    }

    private static void WriteMandatory(Span<byte> destination, int flags, uint teid, ushort length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], teid);
        destination[0] = (byte)flags;
        destination[1] = (byte)GtpUMessageType.GPdu;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], length);
    }
}
