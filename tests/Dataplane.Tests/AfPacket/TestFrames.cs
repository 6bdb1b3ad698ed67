using System.Buffers.Binary;

namespace Dataplane.Tests.AfPacket;

/// <summary>Frames the AF_PACKET tests send: addressed to a MAC nobody has, so the host stack ignores them.</summary>
internal static class TestFrames
{
    public static readonly byte[] Destination = [0x02, 0, 0, 0, 0, 0x99];
    public static readonly byte[] PeerSource = [0x02, 0, 0, 0, 0x02, 0x02];

    /// <summary>EtherType 0x88B5 (IEEE 802 local experimental) with a numbered payload.</summary>
    public static byte[] Experimental(int sequence, int payloadLength = 86)
    {
        var frame = new byte[14 + payloadLength];
        Destination.CopyTo(frame, 0);
        PeerSource.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x88B5);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        for (var i = 18; i < frame.Length; i++)
        {
            frame[i] = (byte)(i * 7 + sequence);
        }
        return frame;
    }

    /// <summary>The same with an 802.1Q tag (TPID 0x8100, PCP 3, VID 100) after the MAC addresses.</summary>
    public static byte[] Tagged(int sequence)
    {
        var untagged = Experimental(sequence);
        var frame = new byte[untagged.Length + 4];
        untagged.AsSpan(0, 12).CopyTo(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), (3 << 13) | 100);
        untagged.AsSpan(12).CopyTo(frame.AsSpan(16));
        return frame;
    }

    /// <summary>IPv4/UDP 10.213.0.2:(1000+flow) -> 10.213.1.(flow):2000, so the kernel's flow hash tells flows apart.</summary>
    public static byte[] Udp(int flow, int sequence)
    {
        var frame = new byte[14 + 20 + 8 + 32];
        Destination.CopyTo(frame, 0);
        PeerSource.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 20 + 8 + 32);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)sequence);
        ip[8] = 64;
        ip[9] = 17;
        ip[12] = 10; ip[13] = 213; ip[14] = 0; ip[15] = 2;
        ip[16] = 10; ip[17] = 213; ip[18] = 1; ip[19] = (byte)flow;
        uint sum = 0;
        for (var i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(ip[i..]);
        }
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~sum);
        var udp = frame.AsSpan(34, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, (ushort)(1000 + flow));
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], 2000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], 8 + 32);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(42), sequence);
        return frame;
    }
}
