using System.Buffers.Binary;
using Dataplane.Ports.Pcap;
using System.Globalization;

namespace Dataplane.Tests.Oracles;

/// <summary>
/// Wireshark's dissectors (Debian's tshark) as a judge for what we emit: the test frames a header in
/// Ethernet/IPv4/UDP, writes a one-packet pcap and asks tshark for named fields. Tests skip when tshark is absent.
/// </summary>
internal static class TsharkUdpPayloadOracle
{
    private const string Tshark = "/usr/bin/tshark";

    /// <summary>The values tshark reports for <paramref name="fields"/>, in order ("" when absent, the innermost when repeated); "_ws.malformed" flags a bad dissection.</summary>
    public static string[] Dissect(byte[] udpPayload, ushort destinationPort, params string[] fields)
    {
        TsharkOracle.RequireInstalled();
        string pcap = Path.Combine(Path.GetTempPath(), $"dataplane-{Guid.NewGuid():N}.pcap");
        try
        {
            using (var writer = new PcapWriter(pcap, CaptureLinkType.Ethernet, PcapTimestampPrecision.Microseconds, snapLength: 65535))
            {
                writer.Write(EthernetIpv4Udp(udpPayload, destinationPort), timestamp: 0);
            }

            var frame = Assert.Single(TsharkOracle.Fields(pcap, fields));
            return fields.Select(field => frame[field].LastOrDefault() ?? "").ToArray();
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    /// <summary>Parses tshark's numbers, printed in decimal or as 0x-prefixed hex depending on the field's display.</summary>
    public static uint Number(string text) =>
        text.StartsWith("0x", StringComparison.Ordinal)
            ? uint.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : uint.Parse(text, CultureInfo.InvariantCulture);

    internal static byte[] EthernetIpv4Udp(byte[] payload, ushort destinationPort)
    {
        var frame = new byte[14 + 20 + 8 + payload.Length];
        byte[] ethernet = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00];
        ethernet.CopyTo(frame, 0);
        var ip = frame.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + 8 + payload.Length));
        ip[8] = 64;
        ip[9] = 17;
        byte[] addresses = [192, 0, 2, 1, 192, 0, 2, 2];
        addresses.CopyTo(ip[12..]);
        var udp = frame.AsSpan(34, 8);
        BinaryPrimitives.WriteUInt16BigEndian(udp, 50000);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(frame, 42);
        return frame;
    }
}
