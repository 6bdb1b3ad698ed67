using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// An offloaded flow as the application sees it: UE address and port, application address and port, IP protocol.
/// The uplink builds it after the destination NAT, the reply from its reversed addresses, so both find one entry.
/// ICMP echo uses the identifier as both ports. Compared and hashed as two 64-bit words (every packet of a flow
/// does both once).
/// </summary>
public readonly record struct TofNatFlowKey(Ipv4Address Ue, ushort UePort, Ipv4Address Application, ushort ApplicationPort, byte Protocol)
{
    private ulong Addresses => ((ulong)Ue.Value << 32) | Application.Value;

    private ulong PortsAndProtocol => ((ulong)UePort << 24) | ((ulong)ApplicationPort << 8) | Protocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(TofNatFlowKey other) => Addresses == other.Addresses && PortsAndProtocol == other.PortsAndProtocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong hash = (Addresses * 0x9E3779B97F4A7C15UL) ^ (PortsAndProtocol * 0xC2B2AE3D27D4EB4FUL);
        return (int)(hash ^ (hash >> 29));
    }
}
