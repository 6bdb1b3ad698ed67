namespace Dataplane.Forwarding.Configuration;

/// <summary>The "vxlan" section: VNIs, bridge domains, static FDB entries, L3 VNIs.</summary>
public sealed record VxlanConfig
{
}
