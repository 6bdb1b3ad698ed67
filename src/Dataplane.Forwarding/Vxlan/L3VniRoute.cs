using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>A prefix behind a remote VTEP on an L3 VNI; <see cref="Mac"/> is the remote router MAC (inner destination).</summary>
public sealed record L3VniRoute(EidPrefix Prefix, ushort VtepIndex, MacAddress Mac);
