using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tables.Gtp;

/// <summary>
/// One published, immutable state of a <see cref="GtpUTunnelTable"/>. A stage reads the table's snapshot once per
/// batch and does all its lookups in it: every entry it finds is whole, and the set does not change under it.
/// </summary>
public sealed class GtpUTunnelSnapshot
{
    public static readonly GtpUTunnelSnapshot Empty = new(
        FrozenDictionary<GtpUTunnelKey, GtpUTunnel>.Empty, FrozenDictionary<GtpUUeKey, GtpUTunnel>.Empty, [], GtpUIpv4TunnelIndex.Empty);

    private readonly FrozenDictionary<GtpUTunnelKey, GtpUTunnel> byKey;
    private readonly FrozenDictionary<GtpUUeKey, GtpUTunnel> byUeHost;
    private readonly GtpUTunnel[] byUePrefix;

    internal GtpUTunnelSnapshot(
        FrozenDictionary<GtpUTunnelKey, GtpUTunnel> byKey, FrozenDictionary<GtpUUeKey, GtpUTunnel> byUeHost, GtpUTunnel[] byUePrefix,
        GtpUIpv4TunnelIndex ipv4)
    {
        Ipv4 = ipv4;
        this.byKey = byKey;
        this.byUeHost = byUeHost;
        this.byUePrefix = byUePrefix;
    }

    public int Count => byKey.Count;

    /// <summary>The receive lookup of the tunnels with IPv4 at both ends (the same tunnels <see cref="TryGet"/> finds for them), for a vector's hash-then-prefetch pass.</summary>
    public GtpUIpv4TunnelIndex Ipv4 { get; }

    /// <summary>Every tunnel in this snapshot (for control-plane listings, not the hot path).</summary>
    public IEnumerable<GtpUTunnel> Tunnels => byKey.Values;

    /// <summary>Receive direction: the tunnel a G-PDU from <paramref name="key"/> belongs to.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGet(in GtpUTunnelKey key, out GtpUTunnel? tunnel) => byKey.TryGetValue(key, out tunnel);

    /// <summary>
    /// Send direction: the tunnel whose UE address (a host entry, found by hash) or, failing that, UE prefix (the
    /// longest that covers it; prefixes are few, kept sorted longest first and scanned) holds <paramref name="destination"/>.
    /// </summary>
    public bool TryGetByUe(uint instanceId, IpAddress destination, out GtpUTunnel? tunnel)
    {
        if (byUeHost.TryGetValue(new GtpUUeKey(instanceId, destination), out tunnel))
        {
            return true;
        }

        var prefixes = byUePrefix;
        for (int i = 0; i < prefixes.Length; i++)
        {
            if (prefixes[i].UePrefix.Contains(instanceId, destination))
            {
                tunnel = prefixes[i];
                return true;
            }
        }

        tunnel = null;
        return false;
    }
}
