using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Fragments;

/// <summary>
/// Hand-built LISP data packets to the ETR of pcaps/golden/etr-v4-in-v4 (RLOC 192.0.2.1, port 0 MAC
/// 02:00:00:00:00:01) and their outer IPv4 fragments, cut as RFC 791 section 3.2 says: each fragment a copy of the
/// header with its own total length, MF and offset (in 8-byte units), and the payload bytes from that offset.
/// </summary>
public static class FragmentFrames
{
    public const int EthernetLength = 14;

    /// <summary>Outer IPv4 (198.51.100.1 to 192.0.2.1, identification <paramref name="id"/>) / UDP 4341 / LISP / inner IPv4 UDP 10.2.0.5 to 10.1.0.10 with <paramref name="innerPayload"/> bytes.</summary>
    public static byte[] LispDatagram(ushort id, int innerPayload)
    {
        int inner = 20 + 8 + innerPayload;
        var packet = new byte[20 + 8 + 8 + inner];
        Ipv4(packet, id, [198, 51, 100, 1], [192, 0, 2, 1], packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), 49200);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), 4341);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + 8 + inner));
        packet[28] = 0x80; // N bit, nonce 0xABCD00 (RFC 9300 section 5.1)
        packet[29] = 0xAB;
        packet[30] = 0xCD;
        Ipv4(packet.AsSpan(36), (ushort)(id + 1), [10, 2, 0, 5], [10, 1, 0, 10], inner);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(56), 5000);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(58), 5001);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(60), (ushort)(8 + innerPayload));
        for (int i = 0; i < innerPayload; i++)
        {
            packet[64 + i] = (byte)i;
        }

        return packet;
    }

    /// <summary>The inner packet of <see cref="LispDatagram"/>.</summary>
    public static byte[] Inner(byte[] datagram) => datagram[36..];

    /// <summary>An Ethernet frame to the ETR holding the fragment of <paramref name="datagram"/> (20-byte header) at payload offset <paramref name="offset"/>.</summary>
    public static byte[] Fragment(byte[] datagram, int offset, int length, bool more)
    {
        var frame = new byte[EthernetLength + 20 + length];
        frame[0] = 0x02;
        frame[5] = 0x01;
        frame[6] = 0x02;
        frame[11] = 0xFE;
        frame[12] = 0x08;
        datagram.AsSpan(0, 20).CopyTo(frame.AsSpan(EthernetLength));
        datagram.AsSpan(20 + offset, length).CopyTo(frame.AsSpan(EthernetLength + 20));
        var header = frame.AsSpan(EthernetLength, 20);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(20 + length));
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], (ushort)((more ? 0x2000 : 0) | (offset / 8)));
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header));
        return frame;
    }

    /// <summary>The whole datagram cut into fragments of <paramref name="size"/> payload bytes (a multiple of 8), in order.</summary>
    public static List<byte[]> Cut(byte[] datagram, int size)
    {
        var fragments = new List<byte[]>();
        int payload = datagram.Length - 20;
        for (int offset = 0; offset < payload; offset += size)
        {
            int length = Math.Min(size, payload - offset);
            fragments.Add(Fragment(datagram, offset, length, offset + length < payload));
        }

        return fragments;
    }

    /// <summary>A pool buffer holding <paramref name="frame"/>, received on <paramref name="port"/>, appended to <paramref name="batch"/>.</summary>
    public static void Add(PacketBatch batch, PacketPool pool, byte[] frame, ushort port = 0)
    {
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        packet.TrySetLength(frame.Length);
        frame.CopyTo(packet.Data);
        packet.IngressPort = port;
        Assert.True(batch.TryAdd(packet));
    }

    private static void Ipv4(Span<byte> header, ushort id, byte[] source, byte[] destination, int totalLength)
    {
        header[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)totalLength);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], id);
        header[8] = 64;
        header[9] = 17;
        source.CopyTo(header[12..]);
        destination.CopyTo(header[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], InternetChecksum.Compute(header[..20]));
    }
}
