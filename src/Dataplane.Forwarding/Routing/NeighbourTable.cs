using System.Collections.Frozen;
using Dataplane.Tables.MapCache;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// Next-hop IP -> MAC and port. Readers take <see cref="Snapshot"/> once per batch and look up without locks; a
/// writer (configuration, and later ARP/ND resolution) publishes a new frozen dictionary. Changes are rare next to
/// lookups, so copy-on-write costs nothing that matters.
/// </summary>
public sealed class NeighbourTable
{
    private readonly Lock writeLock = new();
    private FrozenDictionary<IpAddress, Neighbour> entries = FrozenDictionary<IpAddress, Neighbour>.Empty;

    public FrozenDictionary<IpAddress, Neighbour> Snapshot => Volatile.Read(ref entries);

    public int Count => Snapshot.Count;

    public void AddOrReplace(IpAddress address, Neighbour neighbour)
    {
        lock (writeLock)
        {
            var copy = new Dictionary<IpAddress, Neighbour>(entries) { [address] = neighbour };
            Volatile.Write(ref entries, copy.ToFrozenDictionary());
        }
    }

    public bool Remove(IpAddress address)
    {
        lock (writeLock)
        {
            if (!entries.ContainsKey(address))
            {
                return false;
            }

            var copy = new Dictionary<IpAddress, Neighbour>(entries);
            copy.Remove(address);
            Volatile.Write(ref entries, copy.ToFrozenDictionary());
            return true;
        }
    }

    public bool TryGet(IpAddress address, out Neighbour neighbour) => Snapshot.TryGetValue(address, out neighbour);
}
