namespace Dataplane.Ports.Pcap;

/// <summary>Timestamp unit of a classic pcap file, chosen by its magic number.</summary>
public enum PcapTimestampPrecision
{
    /// <summary>Magic a1b2c3d4: the fraction field counts microseconds.</summary>
    Microseconds,

    /// <summary>Magic a1b23c4d: the fraction field counts nanoseconds.</summary>
    Nanoseconds,
}
