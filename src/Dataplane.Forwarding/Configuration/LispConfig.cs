namespace Dataplane.Forwarding.Configuration;

/// <summary>The "lisp" section: this xTR's RLOCs and EIDs, static map-cache entries, and ITR behaviour.</summary>
public sealed record LispConfig
{
    /// <summary>Our own RLOCs; an ETR decapsulates only packets sent to one of these.</summary>
    public IReadOnlyList<LocatorConfig> LocalRlocs { get; init; } = [];

    /// <summary>EID prefixes this xTR serves ("[iid]prefix/len" or "prefix/len").</summary>
    public IReadOnlyList<string> LocalEids { get; init; } = [];

    /// <summary>Static map-cache entries (the control plane adds dynamic ones).</summary>
    public IReadOnlyList<MapCacheEntryConfig> MapCache { get; init; } = [];
}

public sealed record LocatorConfig
{
    public required string Address { get; init; }

    public byte Priority { get; init; } = 1;

    public byte Weight { get; init; } = 100;

    public bool Up { get; init; } = true;
}

public sealed record MapCacheEntryConfig
{
    public required string Eid { get; init; }

    /// <summary>Locators; none makes a negative entry, whose <see cref="Action"/> applies.</summary>
    public IReadOnlyList<LocatorConfig> Locators { get; init; } = [];

    /// <summary>For a negative entry: drop, native-forward, send-map-request, no-action.</summary>
    public string? Action { get; init; }

    /// <summary>Minutes; omitted = never expires (a static entry).</summary>
    public uint? TtlMinutes { get; init; }
}
