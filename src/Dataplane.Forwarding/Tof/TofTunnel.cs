using System.Runtime.CompilerServices;
using Dataplane.Forwarding.Counters;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// What the TOF learned about one UE from its G-PDUs: the uplink and downlink tunnel (either may be unknown yet),
/// the QFI of its uplink PDU Session Container (5G N3), when it was last seen, and per-direction counters. Workers
/// update it in place with single reference / long writes, each counting and stamping when it last saw the UE on its
/// own cache line (<paramref name="workers"/> lines: the workers there were when it was learned), so no line moves
/// between the cores that share a UE; the control thread reads it for GET /tunnel and the idle purge, merging the
/// workers' lines (sum, latest).
/// An IPv4 UE is known by its address. An IPv6 UE is known by its /64: the PGW / SMF gives each PDN session a /64 of
/// its own and the UE forms its addresses in it (TS 23.401 section 5.3.1.2.2, RFC 6459), and may change them (privacy
/// addresses, RFC 8981) without a new tunnel. A dual-stack UE has one tunnel of each family (same TEIDs, learned twice).
/// </summary>
public sealed class TofTunnel : ITofKeyed<Ipv4Address>, ITofKeyed<Ipv6Address>
{
    private const int UplinkField = 0, DownlinkField = 1, SeenField = 2, UplinkByteField = 3, DownlinkByteField = 4, Fields = 5;

    /// <summary>No PDU Session Container seen on the uplink.</summary>
    public const int NoQfi = -1;

    private TofTunnelEndpoint? uplink;
    private TofTunnelEndpoint? downlink;
    private int qfi = NoQfi;
    private int downlinkWanted;
    private readonly PerWorkerCounters packets;
    private readonly long learnedAt;
    private readonly uint ipv4Key; // a primitive, so the runtime lays it out with the other hot fields
    private readonly Ipv6Ue? ipv6; // an IPv6 UE's addresses, apart: an IPv4 UE's tunnel stays as small as it was

    /// <summary>The tunnel of an IPv4 UE.</summary>
    public TofTunnel(Ipv4Address ueAddress, int workers = 1, long learnedAt = 0)
    {
        ipv4Key = ueAddress.Value;
        this.learnedAt = learnedAt;
        packets = new PerWorkerCounters(workers, Fields);
    }

    /// <summary>The tunnel of an IPv6 UE: <paramref name="ueAddress"/> is any of its addresses, the tunnel is its /64's.</summary>
    public TofTunnel(Ipv6Address ueAddress, int workers = 1, long learnedAt = 0)
    {
        ipv6 = new Ipv6Ue(PrefixOf(ueAddress), ueAddress);
        this.learnedAt = learnedAt;
        packets = new PerWorkerCounters(workers, Fields);
    }

    /// <summary>Bits an IPv6 UE's prefix has: the tunnel is keyed by them.</summary>
    public const int Ipv6PrefixLength = 64;

    /// <summary>The UE's IPv4 address, or (IPv6) its /64 prefix with the interface bits zero.</summary>
    public IpAddress UeAddress => ipv6 is { } v6 ? v6.Prefix : new Ipv4Address(ipv4Key);

    /// <summary>The IPv6 address the UE used when its tunnel was learned (the pinger's source); unset for an IPv4 UE.</summary>
    public Ipv6Address UeIpv6Address => ipv6?.Address ?? default;

    /// <summary>The UE's /64 with the interface bits cleared: the key of an IPv6 UE's tunnel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Ipv6Address PrefixOf(Ipv6Address address) => new(address.High, 0);

    public Ipv4Address Key => new(ipv4Key);

    Ipv6Address ITofKeyed<Ipv6Address>.Key => ipv6?.Prefix ?? default;

    /// <summary>eNB -> SGW: where the UE's uplink goes (null until an uplink G-PDU was seen).</summary>
    public TofTunnelEndpoint? Uplink
    {
        get => Volatile.Read(ref uplink);
        internal set => Volatile.Write(ref uplink, value);
    }

    /// <summary>SGW -> eNB: how downlink packets reach the UE (null until a downlink G-PDU was seen, or after an End Marker).</summary>
    public TofTunnelEndpoint? Downlink
    {
        get => Volatile.Read(ref downlink);
        internal set => Volatile.Write(ref downlink, value);
    }

    /// <summary>QFI of the uplink PDU Session Container, or <see cref="NoQfi"/>; replies carry a DL container with it.</summary>
    public int Qfi
    {
        get => Volatile.Read(ref qfi);
        internal set => Volatile.Write(ref qfi, value);
    }

    /// <summary>Clock ticks (the plane's monotonic clock) of the last G-PDU or offloaded packet of this UE, any worker's; never before it was learned.</summary>
    public long LastSeen => Math.Max(learnedAt, packets.Max(SeenField));

    /// <summary>A reply was dropped for want of a downlink TEID: the pinger should reveal it. Cleared once it is learned.</summary>
    public bool DownlinkWanted
    {
        get => Volatile.Read(ref downlinkWanted) != 0;
        internal set => Volatile.Write(ref downlinkWanted, value ? 1 : 0);
    }

    /// <summary>Clock ticks (the plane's monotonic clock) when the tunnel was learned.</summary>
    public long LearnedAt => learnedAt;

    /// <summary>G-PDUs seen and offloaded packets sent eNB -> SGW (uplink).</summary>
    public long UplinkPackets => packets.Sum(UplinkField);

    /// <summary>Bytes of the uplink's T-PDUs (the inner IP packets of its G-PDUs).</summary>
    public long UplinkBytes => packets.Sum(UplinkByteField);

    /// <summary>Bytes of the downlink's T-PDUs (replies included, before their encapsulation).</summary>
    public long DownlinkBytes => packets.Sum(DownlinkByteField);

    /// <summary>G-PDUs seen and replies sent SGW -> eNB (downlink).</summary>
    public long DownlinkPackets => packets.Sum(DownlinkField);

    /// <summary>Counts one uplink G-PDU of <paramref name="bytes"/> T-PDU bytes, on this worker's line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountUplink(int worker, int bytes)
    {
        packets.Add(worker, UplinkField, 1);
        packets.Add(worker, UplinkByteField, bytes);
    }

    /// <summary>Stamps this worker's last sight of the UE (on the line its counters are on: no other core's line is touched).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Touch(int worker, long now) => packets.Raise(worker, SeenField, now);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountDownlink(int worker, int bytes)
    {
        packets.Add(worker, DownlinkField, 1);
        packets.Add(worker, DownlinkByteField, bytes);
    }

    private sealed record Ipv6Ue(Ipv6Address Prefix, Ipv6Address Address);
}
