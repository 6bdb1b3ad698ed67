using System.Buffers.Binary;
using System.Text.Json;
using Dataplane.Wire.Checksums;
using Dataplane.Ports.Pcap;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.FlowExport;

/// <summary>
/// Two IPFIX decoders nobody here wrote: Wireshark's cflow dissector (tshark, on the messages framed in UDP to port
/// 4739, IPFIX's, in a capture) and Scapy's <c>scapy.layers.netflow</c> (ipfix_scapy.py).
/// </summary>
internal static class IpfixOracles
{
    public const ushort IpfixPort = 4739;

    /// <summary>tshark's values of <paramref name="fields"/>, one dictionary per message (every occurrence, in order).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string[]>> Tshark(IReadOnlyList<byte[]> messages, params string[] fields)
    {
        TsharkOracle.RequireInstalled();
        string pcap = Path.Combine(Path.GetTempPath(), $"dataplane-ipfix-{Environment.ProcessId}-{Guid.NewGuid():N}.pcap");
        try
        {
            using (var writer = new PcapWriter(pcap, CaptureLinkType.Ethernet, PcapTimestampPrecision.Microseconds, snapLength: 65535))
            {
                long time = 0;
                foreach (byte[] message in messages)
                {
                    byte[] frame = TsharkUdpPayloadOracle.EthernetIpv4Udp(message, IpfixPort);
                    // The IPv4 header checksum (the UDP one stays 0, "none", RFC 768), so tshark has nothing to flag but IPFIX.
                    BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(24), InternetChecksum.Compute(frame.AsSpan(14, 20)));
                    writer.Write(frame, timestamp: time++);
                }
            }

            Assert.Empty(TsharkOracle.Problems(pcap));
            return TsharkOracle.Fields(pcap, fields);
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    /// <summary>Scapy's reading: its header objects and its data records (template ID, fields by Scapy's names).</summary>
    public static (List<JsonElement> Headers, List<(int Template, JsonElement Fields)> Records) Scapy(IReadOnlyList<byte[]> messages)
    {
        string script = Path.Combine(RepositoryPaths.Root, "tests", "Dataplane.Tests", "FlowExport", "ipfix_scapy.py");
        string output = ScapyOracle.Run([script, .. messages.Select(Convert.ToHexString)]);
        var headers = new List<JsonElement>();
        var records = new List<(int, JsonElement)>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var element = JsonDocument.Parse(line).RootElement.Clone();
            if (element.TryGetProperty("header", out var header))
            {
                headers.Add(header);
            }
            else
            {
                records.Add((element.GetProperty("template").GetInt32(), element.GetProperty("fields")));
            }
        }

        return (headers, records);
    }
}
