using System.Collections.Frozen;

namespace Dataplane.Tables.Gtp;

/// <summary>
/// The GTP-U tunnels an endpoint terminates, keyed by (peer, local address, TEID in) for decapsulation and by UE
/// address + instance for encapsulation, IPv4 and IPv6 alike.
/// </summary>
/// <remarks>
/// Readers never lock: they take <see cref="Snapshot"/> (one volatile read) and look up in it. Writers (the
/// configuration, later the TOF learning tunnels from traffic) are serialised by a lock, build a new snapshot
/// copy-on-write from their own mutable maps and publish it with one volatile write: a reader sees the old or the
/// new table, never a torn entry (entries are immutable records). The snapshot is frozen for fast lookups, so a
/// write costs O(tunnels); a learning TOF that adds many tunnels at once should use <see cref="AddOrReplaceRange"/>
/// to publish once per burst.
/// </remarks>
public sealed class GtpUTunnelTable
{
    private readonly Lock writeLock = new();
    private readonly Dictionary<GtpUTunnelKey, GtpUTunnel> byKey = [];
    private GtpUTunnelSnapshot snapshot = GtpUTunnelSnapshot.Empty;

    /// <summary>The current state; read it once per batch.</summary>
    public GtpUTunnelSnapshot Snapshot => Volatile.Read(ref snapshot);

    public int Count => Snapshot.Count;

    /// <summary>Adds a tunnel, or replaces the one with the same key. Returns the replaced tunnel, if any.</summary>
    public GtpUTunnel? AddOrReplace(GtpUTunnel tunnel)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        lock (writeLock)
        {
            byKey.Remove(tunnel.Key, out var replaced);
            byKey[tunnel.Key] = tunnel;
            Publish();
            return replaced;
        }
    }

    /// <summary>Adds or replaces several tunnels and publishes once.</summary>
    public void AddOrReplaceRange(IEnumerable<GtpUTunnel> tunnels)
    {
        ArgumentNullException.ThrowIfNull(tunnels);
        lock (writeLock)
        {
            foreach (var tunnel in tunnels)
            {
                ArgumentNullException.ThrowIfNull(tunnel);
                byKey[tunnel.Key] = tunnel;
            }

            Publish();
        }
    }

    /// <summary>
    /// Replaces the tunnel under <paramref name="oldKey"/> with <paramref name="tunnel"/> (whose key may differ) in one
    /// publish, so a reader never sees neither: the control plane changing a tunnel's peer or TEID.
    /// </summary>
    public void Replace(GtpUTunnelKey oldKey, GtpUTunnel tunnel)
    {
        ArgumentNullException.ThrowIfNull(tunnel);
        lock (writeLock)
        {
            byKey.Remove(oldKey);
            byKey[tunnel.Key] = tunnel;
            Publish();
        }
    }

    public bool Remove(GtpUTunnelKey key)
    {
        lock (writeLock)
        {
            if (!byKey.Remove(key))
            {
                return false;
            }

            Publish();
            return true;
        }
    }

    private void Publish()
    {
        var ueHosts = new Dictionary<GtpUUeKey, GtpUTunnel>();
        var uePrefixes = new List<GtpUTunnel>();
        foreach (var tunnel in byKey.Values)
        {
            if (tunnel.IsHostRoute)
            {
                // Two tunnels for one UE address (e.g. a TOF that learned a handover before the old tunnel aged out):
                // the one whose name sorts last wins, so the choice does not depend on insertion order.
                var ue = new GtpUUeKey(tunnel.InstanceId, tunnel.UePrefix.Address);
                if (!ueHosts.TryGetValue(ue, out var existing) || string.CompareOrdinal(tunnel.Name, existing.Name) > 0)
                {
                    ueHosts[ue] = tunnel;
                }
            }
            else
            {
                uePrefixes.Add(tunnel);
            }
        }

        // Longest prefix first, so the first match of the linear scan is the longest match.
        uePrefixes.Sort((a, b) => b.UePrefix.PrefixLength != a.UePrefix.PrefixLength
            ? b.UePrefix.PrefixLength.CompareTo(a.UePrefix.PrefixLength)
            : string.CompareOrdinal(a.Name, b.Name));
        var ipv4 = new GtpUIpv4TunnelIndex(byKey.Values.Where(t => t.Peer.IsV4 && t.Local.IsV4).ToList());
        Volatile.Write(ref snapshot, new GtpUTunnelSnapshot(byKey.ToFrozenDictionary(), ueHosts.ToFrozenDictionary(), [.. uePrefixes], ipv4));
    }
}
