using System.Buffers.Binary;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tests.Oracles;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Lisp;

/// <summary>Frames and configurations for the encapsulation tests (the configuration is the golden cases' one).</summary>
public static class LispTestFrames
{
    /// <summary>The golden itr-v4-over-v4 configuration: port 0 "eid-side" (instance 7), port 1 "rloc-side", map-cache for 10.2/16 etc.</summary>
    public static DataplaneConfig GoldenConfig(string caseName = "itr-v4-over-v4") =>
        DataplaneConfigFile.Load(Path.Combine(RepositoryPaths.Root, "pcaps", "golden", caseName, "config.json"));

    /// <summary>Ethernet / IPv4 / UDP with a zero payload of <paramref name="payload"/> bytes; IPv4 checksum right, UDP checksum 0.</summary>
    public static byte[] Ipv4Udp(string source, string destination, byte ttl = 64, int payload = 18, bool dontFragment = false,
        ushort sourcePort = 1000, ushort destinationPort = 2000)
    {
        int ipLength = 20 + 8 + payload;
        byte[] frame = new byte[14 + ipLength];
        Convert.FromHexString("02000000000102000000100a0800").CopyTo(frame, 0); // to the ITR from host 02:00:00:00:10:0a
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ipLength);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], dontFragment ? (ushort)0x4000 : (ushort)0);
        ip[8] = ttl;
        ip[9] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], Ipv4Address.Parse(source).Value);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], Ipv4Address.Parse(destination).Value);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..20]));
        BinaryPrimitives.WriteUInt16BigEndian(ip[20..], sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(ip[22..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(ip[24..], (ushort)(8 + payload));
        return frame;
    }

    /// <summary>Ethernet / IPv6 / UDP (UDP checksum computed).</summary>
    public static byte[] Ipv6Udp(string source, string destination, byte hopLimit = 64, int payload = 18,
        ushort sourcePort = 1000, ushort destinationPort = 2000)
    {
        int udpLength = 8 + payload;
        byte[] frame = new byte[14 + 40 + udpLength];
        Convert.FromHexString("02000000000102000000100b86dd").CopyTo(frame, 0);
        var ip = frame.AsSpan(14);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)udpLength);
        ip[6] = 17;
        ip[7] = hopLimit;
        var src = Ipv6Address.Parse(source);
        var dst = Ipv6Address.Parse(destination);
        src.Write(ip[8..]);
        dst.Write(ip[24..]);
        var udp = ip[40..];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)udpLength);
        BinaryPrimitives.WriteUInt16BigEndian(udp[6..], InternetChecksum.Finish(InternetChecksum.Sum(udp, InternetChecksum.PseudoHeaderSum(src, dst, 17, udpLength))));
        return frame;
    }
}
