using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Logging;

/// <summary>The TOF's messages (category <see cref="LogCategories.Tof"/>).</summary>
public static partial class TofLog
{
    /// <summary>A tunnel learned, updated or removed; <paramref name="ue"/> is the UE's address (an IPv6 UE's /64).</summary>
    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "UE {Ue} {Kind} {Direction} {Source} -> {Destination} TEID 0x{Teid:x}")]
    public static partial void TunnelEvent(ILogger logger, string ue, string kind, string direction, string source, string destination, uint teid);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "{Lost} tunnel event(s) lost (a worker's event ring was full)")]
    public static partial void EventsLost(ILogger logger, long lost);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "purged {Tunnels} idle tunnel(s) and {Flows} idle flow(s)")]
    public static partial void Purged(ILogger logger, int tunnels, int flows);
}
