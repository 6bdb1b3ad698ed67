namespace Dataplane.Throughput.Soak;

/// <summary>One second of a soak: cumulative packets per worker and updates acknowledged, the process's memory and GC counts.</summary>
public sealed record SoakSample(double Seconds, long[] Packets, long UpdatesAcknowledged, long RssBytes, long GcHeapBytes, int Gen0, int Gen1, int Gen2);
