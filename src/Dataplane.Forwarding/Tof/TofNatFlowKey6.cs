using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// An offloaded IPv6 flow as the application sees it, like <see cref="TofNatFlowKey"/>: UE address and port,
/// application address and port, upper-layer protocol (ICMPv6 echo keys by its identifier). Compared as five words.
/// </summary>
public readonly record struct TofNatFlowKey6(Ipv6Address Ue, ushort UePort, Ipv6Address Application, ushort ApplicationPort, byte Protocol)
{
    private ulong PortsAndProtocol => ((ulong)UePort << 24) | ((ulong)ApplicationPort << 8) | Protocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(TofNatFlowKey6 other) =>
        Ue.Value == other.Ue.Value && Application.Value == other.Application.Value && PortsAndProtocol == other.PortsAndProtocol;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        ulong hash = (Ue.Low * 0x9E3779B97F4A7C15UL) ^ (Ue.High * 0xFF51AFD7ED558CCDUL) ^ (Application.Low * 0xC4CEB9FE1A85EC53UL)
            ^ (Application.High * 0x2545F4914F6CDD1DUL) ^ (PortsAndProtocol * 0xC2B2AE3D27D4EB4FUL);
        return (int)(hash ^ (hash >> 29));
    }
}
