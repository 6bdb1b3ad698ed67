namespace Dataplane.Runtime.Ports;

/// <summary>A port's own counters, next to the pipeline's: what the driver, kernel or NIC saw.</summary>
public readonly record struct PortStatistics(long ReceivedPackets, long ReceivedBytes, long TransmittedPackets, long TransmittedBytes, long ReceiveDrops, long TransmitErrors);
