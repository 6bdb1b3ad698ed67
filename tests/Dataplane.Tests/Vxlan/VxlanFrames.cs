using System.Buffers.Binary;
using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.Time;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Checksums;

namespace Dataplane.Tests.Vxlan;

/// <summary>Hand-built frames (RFC 791 / 768 / 7348 layouts) and a small two-VTEP L2 setup for the stage tests.</summary>
internal static class VxlanFrames
{
    public const string UnderlayMac = "02:00:00:00:00:b1";
    public const string GatewayMac = "02:00:00:00:00:fe";
    public const string LocalVtep = "192.0.2.1";
    public const string VtepB = "198.51.100.2";
    public const string VtepC = "198.51.100.3";
    public const ulong StaticOnB = 0x02AA_0000_0002;
    public const ushort UnderlayPort = 0;
    public const ushort AccessPort = 1;

    /// <summary>Underlay on port 0, access port 1 in VNI 5000 with remote VTEPs B and C; MAC 02:aa::02 pinned behind B.</summary>
    public const string L2Config = """
        {
          "roles": ["vtep"],
          "ports": [
            { "name": "underlay", "mac": "02:00:00:00:00:b1", "addresses": ["192.0.2.1"] },
            { "name": "access0", "mac": "02:00:00:00:00:a0" }
          ],
          "neighbours": [{ "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "underlay" }],
          "routes": [{ "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "underlay" }],
          "vxlan": {
            "localVteps": ["192.0.2.1"],
            "bridgeDomains": [{
              "vni": 5000, "ports": ["access0"], "remoteVteps": ["198.51.100.2", "198.51.100.3"],
              "staticMacs": [{ "mac": "02:aa:00:00:00:02", "vtep": "198.51.100.2" }], "agingSeconds": 300
            }]
          }
        }
        """;

    public static ForwardingPlane Build(string json, ManualClock clock) =>
        ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json), new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });

    /// <summary>Ethernet / IPv4 / UDP with a 16-byte payload: 62 bytes, near the 64-byte minimum frame.</summary>
    public static byte[] InnerFrame(ulong destination, ulong source)
    {
        var frame = new byte[14 + 20 + 8 + 20];
        Ethernet(frame, destination, source, 0x0800);
        Ipv4(frame.AsSpan(14), "10.0.0.1", "10.0.0.2", 17, 8 + 20);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34), 1000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(36), 2000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(38), 28);
        return frame;
    }

    /// <summary>Ethernet / IPv4 / UDP 4789 / VXLAN(I, vni) / inner, from <paramref name="source"/> to our VTEP.</summary>
    public static byte[] Vxlan(string source, uint vni, byte[] inner, ushort destinationPort = 4789, uint firstWord = 0x0800_0000)
    {
        var frame = new byte[14 + 20 + 8 + 8 + inner.Length];
        Ethernet(frame, MacAddress.Parse(UnderlayMac).Value, MacAddress.Parse(GatewayMac).Value, 0x0800);
        Ipv4(frame.AsSpan(14), source, LocalVtep, 17, 16 + inner.Length);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34), 50000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(36), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(38), (ushort)(16 + inner.Length));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(42), firstWord);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(46), vni << 8);
        inner.CopyTo(frame, 50);
        return frame;
    }

    public static ref PacketDescriptor Add(PacketBatch batch, PacketPool pool, byte[] frame, ushort ingressPort)
    {
        var packet = default(PacketDescriptor);
        Assert.True(pool.TryAllocate(ref packet));
        Assert.True(packet.TrySetLength(frame.Length));
        frame.CopyTo(packet.Data);
        packet.IngressPort = ingressPort;
        Assert.True(batch.TryAdd(packet));
        return ref batch[batch.Count - 1];
    }

    /// <summary>The outer IPv4 destination of an encapsulated frame.</summary>
    public static string OuterDestination(in PacketDescriptor packet) => Ipv4Address.Read(packet.Data[30..]).ToString();

    private static void Ethernet(Span<byte> frame, ulong destination, ulong source, ushort etherType)
    {
        new MacAddress(destination).Write(frame);
        new MacAddress(source).Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], etherType);
    }

    private static void Ipv4(Span<byte> ip, string source, string destination, byte protocol, int payloadLength)
    {
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + payloadLength));
        ip[8] = 64;
        ip[9] = protocol;
        Ipv4Address.Parse(source).Write(ip[12..]);
        Ipv4Address.Parse(destination).Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..20]));
    }
}
