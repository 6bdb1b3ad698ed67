namespace Dataplane.Ports.Pcap;

/// <summary>What a capture file says about one packet, besides its bytes.</summary>
/// <param name="Timestamp">Nanoseconds since the Unix epoch.</param>
/// <param name="CapturedLength">Bytes stored in the file (the frame length).</param>
/// <param name="OriginalLength">Bytes the packet had on the wire; larger when the capture was cut to a snaplen.</param>
/// <param name="InterfaceIndex">pcapng interface within its section; 0 for classic pcap.</param>
/// <param name="LinkType">Link type of that interface.</param>
/// <param name="FileOffset">Where the record or block starts in the file.</param>
public readonly record struct CaptureRecord(
    long Timestamp,
    int CapturedLength,
    long OriginalLength,
    int InterfaceIndex,
    CaptureLinkType LinkType,
    long FileOffset);
