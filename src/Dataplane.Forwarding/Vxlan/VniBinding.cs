namespace Dataplane.Forwarding.Vxlan;

/// <summary>What a received VNI means here: an L2 bridge domain or an L3 VNI (exactly one is set).</summary>
public sealed record VniBinding(BridgeDomain? Domain, L3Vni? L3);
