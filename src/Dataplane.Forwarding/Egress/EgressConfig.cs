namespace Dataplane.Forwarding.Egress;

/// <summary>
/// A port's <c>"egress"</c> section: shape what the port sends to <see cref="RateBitsPerSecond"/>, with classes chosen by
/// DSCP that first get a guaranteed rate each, then share what is left by weight with best effort
/// (docs/configuration/egress.md). A port without it sends as fast as the port takes packets.
/// </summary>
public sealed record EgressConfig
{
    /// <summary>The rate the port sends at, in bits per second of frames (Ethernet header to the end of the payload, plus <see cref="FrameOverheadBytes"/>).</summary>
    public long RateBitsPerSecond { get; init; }

    /// <summary>How many bytes may leave at once after a pause (the port's token bucket depth); absent: 10 ms at the rate, at least 64 KiB.</summary>
    public long? BurstBytes { get; init; }

    /// <summary>Bytes counted per frame on top of its length: 0 counts frames as the port hands them over; 24 counts preamble, FCS and inter-frame gap of Ethernet.</summary>
    public int FrameOverheadBytes { get; init; }

    /// <summary>The classes with a guarantee or a weight of their own, chosen by DSCP; every other packet is best effort.</summary>
    public IReadOnlyList<EgressClassConfig> Classes { get; init; } = [];

    /// <summary>The class of every packet no class names the DSCP of (and of non-IP frames).</summary>
    public EgressBestEffortConfig BestEffort { get; init; } = new();
}

/// <summary>One class of a port's egress scheduler.</summary>
public sealed record EgressClassConfig
{
    /// <summary>The class's name, on /metrics as the class label: [A-Za-z0-9._-]{1,32}, unique on the port, not "best-effort".</summary>
    public string Name { get; init; } = "";

    /// <summary>The DSCP values (0..63) of the packets this class takes; a value may be in one class only.</summary>
    public IReadOnlyList<int> Dscp { get; init; } = [];

    /// <summary>The rate the class gets first whenever it has packets waiting, in bits per second; 0 = none, only its weight.</summary>
    public long GuaranteedBitsPerSecond { get; init; }

    /// <summary>The class's share of the capacity left after the guarantees, against the other classes with packets waiting.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Packets the class may hold waiting (per worker); one more is dropped as EgressQueueFull.</summary>
    public int QueuePackets { get; init; } = 1024;
}

/// <summary>The best-effort class: every packet no class takes.</summary>
public sealed record EgressBestEffortConfig
{
    public int Weight { get; init; } = 1;

    public int QueuePackets { get; init; } = 4096;
}
