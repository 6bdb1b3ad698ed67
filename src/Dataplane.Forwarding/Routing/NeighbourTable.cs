using System.Collections.Frozen;
using Dataplane.Tables.MapCache;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// Next-hop IP -> MAC and port. Two reader paths: routes through a gateway hold that gateway's
/// <see cref="NextHopBinding"/> (one load per packet); connected routes, whose neighbour is the destination
/// itself, look the destination up in <see cref="Snapshot"/>, a frozen dictionary taken once per batch. Writers
/// (configuration, later ARP/ND resolution) are serialised, update the bindings in place and publish a new
/// snapshot. Changes are rare next to lookups, so copy-on-write costs nothing that matters.
/// </summary>
public sealed class NeighbourTable
{
    private readonly Lock writeLock = new();
    private readonly Dictionary<IpAddress, NextHopBinding> bindings = [];
    private FrozenDictionary<IpAddress, Neighbour> entries = FrozenDictionary<IpAddress, Neighbour>.Empty;

    public FrozenDictionary<IpAddress, Neighbour> Snapshot => Volatile.Read(ref entries);

    public int Count => Snapshot.Count;

    public void AddOrReplace(IpAddress address, Neighbour neighbour)
    {
        lock (writeLock)
        {
            var copy = new Dictionary<IpAddress, Neighbour>(entries) { [address] = neighbour };
            Volatile.Write(ref entries, copy.ToFrozenDictionary());
            if (bindings.TryGetValue(address, out var binding))
            {
                binding.Set(neighbour);
            }
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
            if (bindings.TryGetValue(address, out var binding))
            {
                binding.Clear();
            }

            return true;
        }
    }

    public bool TryGet(IpAddress address, out Neighbour neighbour) => Snapshot.TryGetValue(address, out neighbour);

    /// <summary>The binding of a next-hop address, created (resolved if the neighbour is known) on first use.</summary>
    public NextHopBinding Bind(IpAddress address)
    {
        lock (writeLock)
        {
            if (!bindings.TryGetValue(address, out var binding))
            {
                binding = new NextHopBinding();
                if (entries.TryGetValue(address, out var neighbour))
                {
                    binding.Set(neighbour);
                }

                bindings[address] = binding;
            }

            return binding;
        }
    }
}
