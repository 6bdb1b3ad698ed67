namespace Dataplane.Control.FlowExport;

/// <summary>An entry's running totals in its two directions (0: uplink / ingress, 1: downlink / egress), as its counters read now.</summary>
public readonly record struct DirectionTotals(long Packets0, long Bytes0, long Packets1, long Bytes1);
