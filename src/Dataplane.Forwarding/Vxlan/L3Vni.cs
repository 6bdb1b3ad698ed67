using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>One L3 VNI: the instance/VRF it carries, our router MAC, VXLAN or GPE, and its routes.</summary>
public sealed record L3Vni(uint Vni, uint InstanceId, MacAddress RouterMac, bool Gpe, L3VniRoute[] Routes);
