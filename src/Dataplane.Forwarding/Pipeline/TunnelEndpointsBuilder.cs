using Dataplane.Forwarding.Stages;
using Dataplane.Tables.MapCache;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// A feature that terminates tunnels at addresses beyond the port addresses (LISP RLOCs), or that must see tunnel
/// packets on some port whatever their destination (the TOF on its S1-U / N3 ports), says so here; the plane builds
/// its <see cref="TunnelEndpoints"/> from the port addresses and what these features add.
/// </summary>
public interface ITunnelEndpointFeature
{
    void AddTunnelEndpoints(TunnelEndpointsBuilder endpoints);
}

/// <summary>Collects the plane's tunnel endpoints while its features are built (configuration time, not the hot path).</summary>
public sealed class TunnelEndpointsBuilder(IEnumerable<IpAddress> portAddresses)
{
    private readonly List<LocalDatabase> rlocs = [];
    private readonly Dictionary<ushort, PacketKinds> kindsByPortAlone = [];

    /// <summary>Our RLOCs are endpoints too, as the database holds them at the time of each packet.</summary>
    public void AddRlocs(LocalDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        rlocs.Add(database);
    }

    /// <summary>On <paramref name="port"/>, packets of <paramref name="kinds"/> are tunnel packets whatever their destination.</summary>
    public void ClassifyByPortAlone(ushort port, PacketKinds kinds) =>
        kindsByPortAlone[port] = kindsByPortAlone.GetValueOrDefault(port) | kinds;

    public TunnelEndpoints Build() => new(portAddresses, rlocs, kindsByPortAlone);
}
