using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// An offloaded IPv6 flow as the UE sent it, like <see cref="TofNatFlowKey"/>: UE address and port, service address
/// and port, upper-layer protocol (ICMPv6 echo keys by its identifier). Compared as five words.
/// </summary>
public readonly record struct TofNatFlowKey6(Ipv6Address Ue, ushort UePort, Ipv6Address Service, ushort ServicePort, byte Protocol)
{
    private ulong PortsAndProtocol => ((ulong)UePort << 24) | ((ulong)ServicePort << 8) | Protocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(TofNatFlowKey6 other) =>
        Ue.Value == other.Ue.Value && Service.Value == other.Service.Value && PortsAndProtocol == other.PortsAndProtocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong hash = (Ue.Low * 0x9E3779B97F4A7C15UL) ^ (Ue.High * 0xFF51AFD7ED558CCDUL) ^ (Service.Low * 0xC4CEB9FE1A85EC53UL)
            ^ (Service.High * 0x2545F4914F6CDD1DUL) ^ (PortsAndProtocol * 0xC2B2AE3D27D4EB4FUL);
        return (int)(hash ^ (hash >> 29));
    }
}
