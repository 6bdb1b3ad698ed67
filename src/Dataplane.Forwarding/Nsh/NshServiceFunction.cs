using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Nsh;

/// <summary>
/// A service function as the forwarder reaches it: over VXLAN-GPE to <see cref="Address"/> (from <see cref="Source"/>,
/// with <see cref="Vni"/>), or over Ethernet to <see cref="Mac"/> on <see cref="Port"/>. Immutable; part of one
/// <see cref="NshTables"/> snapshot.
/// </summary>
public sealed record NshServiceFunction(string Name, bool IsEthernet, IpAddress Address, IpAddress Source, uint Vni, MacAddress Mac, ushort Port);
