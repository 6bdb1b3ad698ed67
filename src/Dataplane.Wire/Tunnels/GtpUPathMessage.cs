using System.Buffers.Binary;
using Dataplane.Wire.Addresses;

namespace Dataplane.Wire.Tunnels;

/// <summary>
/// The GTP-U signalling messages an endpoint sends and reads about its paths and tunnels (3GPP TS 29.281 sections
/// 7.2 and 7.3): Echo Request and Response, Error Indication, Supported Extension Headers Notification. Every one
/// has TEID 0 and the S flag set with the 4 optional octets present (section 5.1); the writers fill exactly
/// <c>...Length</c> octets and the worker's replies and the control plane's requests share them.
/// </summary>
public static class GtpUPathMessage
{
    /// <summary>Header with the optional octets: version 1, PT 1, S set (0x32).</summary>
    public const int HeaderLength = GtpUHeader.MandatoryLength + GtpUHeader.OptionalFieldsLength;

    /// <summary>An Echo Request carries no mandatory IE (section 7.2.1).</summary>
    public const int EchoRequestLength = HeaderLength;

    /// <summary>An Echo Response carries the Recovery IE (section 7.2.2): type and the restart counter.</summary>
    public const int EchoResponseLength = HeaderLength + 2;

    /// <summary>Header, TEID Data I (type and 4 octets), GTP-U Peer Address (type, 2-octet length, the address).</summary>
    public static int ErrorIndicationLength(bool peerAddressV4) => HeaderLength + 5 + 3 + (peerAddressV4 ? Ipv4Address.Size : Ipv6Address.Size);

    /// <summary>Header and an Extension Header Type List of <paramref name="types"/> entries (type, one-octet count, the types).</summary>
    public static int SupportedExtensionHeadersNotificationLength(int types) => HeaderLength + 2 + types;

    private const byte Flags = (GtpUHeader.Version1 << 5) | GtpUHeader.ProtocolTypeFlag | GtpUHeader.SequenceNumberFlag;

    public static void WriteEchoRequest(Span<byte> message, ushort sequence) =>
        WriteHeader(message, GtpUMessageType.EchoRequest, EchoRequestLength, sequence);

    /// <summary>The answer to the Echo Request numbered <paramref name="sequence"/>; GTP-U's restart counter is 0 (section 7.2.2).</summary>
    public static void WriteEchoResponse(Span<byte> message, ushort sequence, byte restartCounter = 0)
    {
        WriteHeader(message, GtpUMessageType.EchoResponse, EchoResponseLength, sequence);
        message[HeaderLength] = (byte)GtpUInformationElementType.Recovery;
        message[HeaderLength + 1] = restartCounter;
    }

    /// <summary>
    /// Error Indication (section 7.3.1) for a G-PDU with <paramref name="teid"/> that no tunnel of ours has, sent from
    /// <paramref name="ourAddress"/>, the address the G-PDU was sent to. Sequence number 0.
    /// </summary>
    public static void WriteErrorIndication(Span<byte> message, uint teid, IpAddress ourAddress)
    {
        int length = ErrorIndicationLength(ourAddress.IsV4);
        WriteHeader(message, GtpUMessageType.ErrorIndication, length, sequence: 0);
        var ies = message[HeaderLength..length];
        ies[0] = (byte)GtpUInformationElementType.TunnelEndpointIdentifierDataI;
        BinaryPrimitives.WriteUInt32BigEndian(ies[1..], teid);
        ies[5] = (byte)GtpUInformationElementType.GtpUPeerAddress;
        BinaryPrimitives.WriteUInt16BigEndian(ies[6..], (ushort)(ies.Length - 8));
        if (ourAddress.IsV4)
        {
            ourAddress.AsV4().Write(ies[8..]);
        }
        else
        {
            ourAddress.AsV6().Write(ies[8..]);
        }
    }

    /// <summary>Supported Extension Headers Notification (section 7.3.2): the extension header types we understand.</summary>
    public static void WriteSupportedExtensionHeadersNotification(Span<byte> message, ReadOnlySpan<byte> supportedTypes)
    {
        int length = SupportedExtensionHeadersNotificationLength(supportedTypes.Length);
        WriteHeader(message, GtpUMessageType.SupportedExtensionHeadersNotification, length, sequence: 0);
        message[HeaderLength] = (byte)GtpUInformationElementType.ExtensionHeaderTypeList;
        message[HeaderLength + 1] = (byte)supportedTypes.Length;
        supportedTypes.CopyTo(message[(HeaderLength + 2)..]);
    }

    /// <summary>
    /// The restart counter of an Echo Response's Recovery IE. False when the IEs before it, or the IE itself, do not
    /// fit the message; true with <paramref name="restartCounter"/> null when the message holds no Recovery IE
    /// (section 7.2.2 makes it mandatory, but an answer without it still shows the peer alive).
    /// </summary>
    public static bool TryReadRecovery(ReadOnlySpan<byte> informationElements, out byte? restartCounter)
    {
        restartCounter = null;
        var rest = informationElements;
        while (!rest.IsEmpty)
        {
            byte type = rest[0];
            int size;
            if (type == (byte)GtpUInformationElementType.Recovery)
            {
                if (rest.Length < 2)
                {
                    return false;
                }

                restartCounter = rest[1];
                return true;
            }

            if (type == (byte)GtpUInformationElementType.TunnelEndpointIdentifierDataI)
            {
                size = 5;
            }
            else if (type == (byte)GtpUInformationElementType.ExtensionHeaderTypeList)
            {
                size = rest.Length < 2 ? int.MaxValue : 2 + rest[1];
            }
            else if (type >= 128)
            {
                size = rest.Length < 3 ? int.MaxValue : 3 + BinaryPrimitives.ReadUInt16BigEndian(rest[1..]);
            }
            else
            {
                return false; // a TV type whose length we do not know: nothing after it can be found
            }

            if (size > rest.Length)
            {
                return false;
            }

            rest = rest[size..];
        }

        return true;
    }

    private static void WriteHeader(Span<byte> message, GtpUMessageType type, int length, ushort sequence)
    {
        message[0] = Flags;
        message[1] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(message[2..], (ushort)(length - GtpUHeader.MandatoryLength));
        BinaryPrimitives.WriteUInt32BigEndian(message[4..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(message[8..], sequence);
        message[10] = 0; // N-PDU number
        message[11] = 0; // no extension header
    }
}
