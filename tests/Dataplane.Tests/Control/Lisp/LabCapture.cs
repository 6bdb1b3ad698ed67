using Dataplane.Control.Lisp;
using Dataplane.Ports.Pcap;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>Writes what nodes of a <see cref="LispControlLab"/> sent into a pcap (Ethernet/IP/UDP), for tshark to read.</summary>
internal static class LabCapture
{
    public static void Write(string path, IEnumerable<UdpDatagram> datagrams)
    {
        using var writer = new PcapWriter(path);
        foreach (var datagram in datagrams)
        {
            var ip = datagram.ToIpPacket();
            var frame = new byte[14 + ip.Length];
            byte[] ethernet = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, (byte)(datagram.Source.IsV4 ? 0x08 : 0x86), (byte)(datagram.Source.IsV4 ? 0x00 : 0xdd)];
            ethernet.CopyTo(frame, 0);
            ip.CopyTo(frame, 14);
            writer.Write(frame, 0);
        }
    }
}
