namespace Dataplane.Forwarding.Tof;

/// <summary>What happened to a UE's tunnel.</summary>
public enum TofTunnelEventKind : byte
{
    /// <summary>A new UE, or a direction of it not known before.</summary>
    Learned,

    /// <summary>A known direction changed address or TEID (handover).</summary>
    Updated,

    /// <summary>An End Marker closed the downlink.</summary>
    DownlinkEnded,

    /// <summary>An Error Indication removed the tunnel.</summary>
    Removed,
}
