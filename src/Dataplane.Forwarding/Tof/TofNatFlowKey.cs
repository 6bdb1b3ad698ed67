using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// An offloaded flow as the UE sent it: UE address and port, service address and port, IP protocol. The uplink builds
/// it before the destination NAT (so it finds the flow before it knows the flow's instance), the reply from its
/// reversed addresses with the service address of the service its source belongs to, so both find one entry.
/// ICMP echo uses the identifier as both ports. Compared and hashed as two 64-bit words (every packet of a flow
/// does both once).
/// </summary>
public readonly record struct TofNatFlowKey(Ipv4Address Ue, ushort UePort, Ipv4Address Service, ushort ServicePort, byte Protocol)
{
    private ulong Addresses => ((ulong)Ue.Value << 32) | Service.Value;

    private ulong PortsAndProtocol => ((ulong)UePort << 24) | ((ulong)ServicePort << 8) | Protocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(TofNatFlowKey other) => Addresses == other.Addresses && PortsAndProtocol == other.PortsAndProtocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong hash = (Addresses * 0x9E3779B97F4A7C15UL) ^ (PortsAndProtocol * 0xC2B2AE3D27D4EB4FUL);
        return (int)(hash ^ (hash >> 29));
    }
}
