using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dataplane.Forwarding.Buffers;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// The G-PDU almost every user-plane packet is: outer IPv4 without options / UDP / GTP-U v1 with no optional field
/// (flags 0x30: no sequence number, N-PDU number or extension header) / inner IPv4 without options. Read at fixed
/// offsets with the same bounds the general parsers check (IPv4 total length within the frame, UDP length within it,
/// GTP-U length within the UDP payload, inner total length within the GTP-U length), so a frame accepted here is one
/// the general path would have accepted, with the same fields. Anything else is refused and left to the general path,
/// which decides it (drop reason, punt, pass-through) exactly as before.
/// </summary>
internal readonly struct PlainGPdu
{
    /// <summary>Version 1, PT 1, no optional field.</summary>
    private const byte PlainFlags = 0x30;
    private const byte GPduType = 0xFF;
    private const int Ipv4HeaderBytes = 20;
    private const int UdpBytes = 8;
    private const int GtpBytes = 8;

    /// <summary>Outer source (the peer), destination, and the TEID.</summary>
    public readonly uint OuterSource;
    public readonly uint OuterDestination;
    public readonly uint Teid;

    /// <summary>Where the inner IPv4 header starts, from the frame start (<see cref="PacketDescriptor.Data"/>), and its total length.</summary>
    public readonly ushort InnerStart;
    public readonly ushort InnerLength;

    private PlainGPdu(uint outerSource, uint outerDestination, uint teid, int innerStart, int innerLength)
    {
        OuterSource = outerSource;
        OuterDestination = outerDestination;
        Teid = teid;
        InnerStart = (ushort)innerStart;
        InnerLength = (ushort)innerLength;
    }

    /// <summary>The GTP-U header's start, from the frame start.</summary>
    public int GtpStart => InnerStart - GtpBytes;

    /// <summary>Reads a packet the classifier called GTP-U; false when it is not the plain G-PDU above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryRead(in PacketDescriptor packet, out PlainGPdu gpdu)
    {
        gpdu = default;
        var frame = packet.Data;
        int l3 = packet.L3Offset - packet.DataOffset;
        int l4 = packet.L4Offset - packet.DataOffset;
        if (l3 < 0 || l4 != l3 + Ipv4HeaderBytes || frame.Length - l4 < UdpBytes + GtpBytes + Ipv4HeaderBytes)
        {
            return false;
        }

        ref byte ip = ref Unsafe.Add(ref MemoryMarshal.GetReference(frame), l3);
        int totalLength = Read16(ref ip, 2);
        ref byte udp = ref Unsafe.Add(ref ip, Ipv4HeaderBytes);
        int udpLength = Read16(ref udp, 4);
        ref byte gtp = ref Unsafe.Add(ref udp, UdpBytes);
        int gtpLength = Read16(ref gtp, 2);
        ref byte inner = ref Unsafe.Add(ref gtp, GtpBytes);
        int innerLength = Read16(ref inner, 2);

        // Each length within the one around it, the outermost within the frame; each header whole.
        if (ip != 0x45 || totalLength > frame.Length - l3 || udpLength > totalLength - Ipv4HeaderBytes || udpLength < UdpBytes + GtpBytes
            || gtpLength > udpLength - UdpBytes - GtpBytes || gtp != PlainFlags || Unsafe.Add(ref gtp, 1) != GPduType
            || inner != 0x45 || innerLength < Ipv4HeaderBytes || innerLength > gtpLength)
        {
            return false;
        }

        gpdu = new PlainGPdu(Read32(ref ip, 12), Read32(ref ip, 16), Read32(ref gtp, 4), l4 + UdpBytes + GtpBytes, innerLength);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Read16(ref byte at, int offset) =>
        BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref at, offset)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(ref byte at, int offset) =>
        BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref at, offset)));
}
