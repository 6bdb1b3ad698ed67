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
/// </summary>
public sealed class TofTunnel(Ipv4Address ueAddress, int workers = 1, long learnedAt = 0) : ITofKeyed<Ipv4Address>
{
    private const int UplinkField = 0, DownlinkField = 1, SeenField = 2;

    /// <summary>No PDU Session Container seen on the uplink.</summary>
    public const int NoQfi = -1;

    private TofTunnelEndpoint? uplink;
    private TofTunnelEndpoint? downlink;
    private int qfi = NoQfi;
    private int downlinkWanted;
    private readonly PerWorkerCounters packets = new(workers, 3);

    public Ipv4Address UeAddress { get; } = ueAddress;

    public Ipv4Address Key => UeAddress;

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

    /// <summary>G-PDUs seen and offloaded packets sent eNB -> SGW (uplink).</summary>
    public long UplinkPackets => packets.Sum(UplinkField);

    /// <summary>G-PDUs seen and replies sent SGW -> eNB (downlink).</summary>
    public long DownlinkPackets => packets.Sum(DownlinkField);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountUplink(int worker) => packets.Add(worker, UplinkField, 1);

    /// <summary>Stamps this worker's last sight of the UE (on the line its counters are on: no other core's line is touched).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Touch(int worker, long now) => packets.Raise(worker, SeenField, now);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountDownlink(int worker) => packets.Add(worker, DownlinkField, 1);
}
