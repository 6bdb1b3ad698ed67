namespace Dataplane.Throughput;

/// <summary>How long a cell warms up and measures, and how big each worker's ring is.</summary>
public sealed record CellSettings(TimeSpan Warmup, TimeSpan Window, int Runs, int RingFrames);
