namespace Dataplane.Forwarding.Stages;

/// <summary>
/// A set of <see cref="PacketKind"/> values, one bit each: what a stage takes as input, so the pipeline hands it
/// only those packets (<see cref="IBatchStage.Accepts"/>).
/// </summary>
[Flags]
public enum PacketKinds : ushort
{
    None = 0,
    NativeIpv4 = 1 << PacketKind.NativeIpv4,
    NativeIpv6 = 1 << PacketKind.NativeIpv6,
    Arp = 1 << PacketKind.Arp,
    NeighborDiscovery = 1 << PacketKind.NeighborDiscovery,
    LispData = 1 << PacketKind.LispData,
    LispControl = 1 << PacketKind.LispControl,
    Vxlan = 1 << PacketKind.Vxlan,
    VxlanGpe = 1 << PacketKind.VxlanGpe,
    GtpU = 1 << PacketKind.GtpU,
    GtpC = 1 << PacketKind.GtpC,
    IpFragment = 1 << PacketKind.IpFragment,
    Nsh = 1 << PacketKind.Nsh,

    /// <summary>Native IP of either family: what routing and the encapsulating stages take.</summary>
    NativeIp = NativeIpv4 | NativeIpv6,

    /// <summary>Every kind: a stage that decides by something else first (a bridge port, the TOF's S1 ports).</summary>
    All = 0xFFFF,
}

/// <summary>Membership tests for <see cref="PacketKinds"/>.</summary>
public static class PacketKindSet
{
    /// <summary>True when <paramref name="kinds"/> holds <paramref name="kind"/>.</summary>
    public static bool Contains(this PacketKinds kinds, PacketKind kind) => ((int)kinds & (1 << (int)kind)) != 0;
}
