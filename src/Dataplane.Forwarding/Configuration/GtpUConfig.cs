namespace Dataplane.Forwarding.Configuration;

/// <summary>The "gtpu" section: configured GTP-U tunnels.</summary>
public sealed record GtpUConfig
{
}
