namespace Dataplane.Ports.Pcap;

/// <summary>Which capture file format a reader found.</summary>
public enum CaptureFormat
{
    /// <summary>Classic libpcap format (one header, then records).</summary>
    Pcap,

    /// <summary>pcapng (blocks: sections, interfaces, packets ...).</summary>
    PcapNg,
}
