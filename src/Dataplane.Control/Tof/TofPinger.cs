using Dataplane.Forwarding.Buffers;
using Dataplane.Forwarding.Tof;
using Dataplane.Runtime.Workers;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Tof;

/// <summary>
/// Reveals downlink TEIDs: every interval, for each UE the TOF flagged (an offloaded flow and no downlink
/// TEID), injects one ICMP echo request from the UE to the PDN address inside its uplink tunnel
/// (<see cref="TofEchoRequest"/>), up to the limit per UE; a UE leaves the list, and its count is forgotten, once its
/// downlink is learned (or its tunnel is gone). Runs on the control thread.
/// </summary>
public sealed class TofPinger(TofFeature tof, TofPingerSettings settings, Func<byte[], bool> inject) : IControlPlaneService
{
    private readonly Dictionary<IpAddress, int> sentPerUe = [];
    private long nextRound;
    private long sent;

    /// <summary>Echo requests handed to the injection port so far.</summary>
    public long Sent => Interlocked.Read(ref sent);

    /// <summary>UEs probed and still waiting for their downlink TEID.</summary>
    public int Probing => sentPerUe.Count;

    public void OnPunt(in PacketDescriptor packet)
    {
    }

    public void OnTick(long nowMilliseconds)
    {
        if (nowMilliseconds < nextRound)
        {
            return;
        }

        nextRound = nowMilliseconds + settings.IntervalMilliseconds;
        var wanted = tof.TunnelsWantingDownlink();
        var still = new HashSet<IpAddress>();
        foreach (var tunnel in wanted)
        {
            still.Add(tunnel.UeAddress);
            int count = sentPerUe.GetValueOrDefault(tunnel.UeAddress);
            if (count >= settings.Limit)
            {
                continue;
            }

            if (settings.PdnFor(tunnel.UeAddress.Family) is { } pdn && TofEchoRequest.Build(tunnel, pdn, (ushort)(count + 1)) is { } probe && inject(probe))
            {
                Interlocked.Increment(ref sent);
            }

            sentPerUe[tunnel.UeAddress] = count + 1;
        }

        foreach (var ue in sentPerUe.Keys.Where(ue => !still.Contains(ue)).ToList())
        {
            sentPerUe.Remove(ue); // learned (or purged): stop
        }
    }
}
