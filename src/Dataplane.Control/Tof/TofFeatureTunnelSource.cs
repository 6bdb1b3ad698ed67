using Dataplane.Control.Rest;
using Dataplane.Forwarding.Tof;

namespace Dataplane.Control.Tof;

/// <summary>
/// GET /tunnel's view of the TOF feature's learned tunnels: the eNB address is the uplink's source (or, with only a
/// downlink known, the downlink's destination), the SGW address the uplink's destination (or the downlink's source).
/// </summary>
public sealed class TofFeatureTunnelSource(TofFeature tof) : ITofTunnelSource
{
    public IReadOnlyList<TofTunnelView> List()
    {
        var now = DateTimeOffset.UtcNow;
        var tunnels = tof.ListTunnels();
        var views = new List<TofTunnelView>(tunnels.Count);
        foreach (var tunnel in tunnels)
        {
            var enb = tunnel.Uplink?.Source ?? tunnel.Downlink?.Destination;
            var sgw = tunnel.Uplink?.Destination ?? tunnel.Downlink?.Source;
            // An IPv6 UE is known by its /64 (any address in it is the UE's), and listed so.
            string ue = tunnel.UeAddress.IsV6 ? $"{tunnel.UeAddress}/{TofTunnel.Ipv6PrefixLength}" : tunnel.UeAddress.ToString();
            views.Add(new TofTunnelView(ue, enb?.ToString(), tunnel.Uplink?.Teid, sgw?.ToString(),
                tunnel.Downlink?.Teid, tunnel.Qfi, now - TimeSpan.FromSeconds(Math.Max(0, tunnel.IdleSeconds))));
        }

        return views;
    }
}
