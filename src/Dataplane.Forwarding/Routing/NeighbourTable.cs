using System.Collections.Concurrent;
using System.Collections.Frozen;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Routing;

/// <summary>
/// Next-hop IP -> MAC and port. Two reader paths: routes through a gateway hold that gateway's
/// <see cref="NextHopBinding"/> (one load per packet); connected routes, whose neighbour is the destination
/// itself, look the destination up in <see cref="Snapshot"/>, a frozen dictionary taken once per batch. Writers
/// (configuration, ARP/ND learning) are serialised, update the bindings in place and publish a new snapshot.
/// Changes are rare next to lookups, so copy-on-write costs nothing that matters.
/// <para>
/// Entries from the configuration are static. Learned entries (<see cref="Learn"/>) carry the time they were last
/// confirmed (an ARP request or reply, a neighbour advertisement from them) and <see cref="Expire"/> removes those
/// not confirmed for the aging time, so a neighbour that went away or changed its MAC is asked for again.
/// </para>
/// </summary>
public sealed class NeighbourTable
{
    private readonly Lock writeLock = new();
    private readonly Dictionary<IpAddress, NextHopBinding> bindings = [];
    private readonly ConcurrentDictionary<IpAddress, long> lastConfirmed = new();
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

    /// <summary>
    /// A static entry from the control plane: replaces a learned one for the same address and, unlike
    /// <see cref="AddOrReplace"/> on a learned address, stops it aging.
    /// </summary>
    public void AddOrReplaceStatic(IpAddress address, Neighbour neighbour)
    {
        lock (writeLock)
        {
            lastConfirmed.TryRemove(address, out _);
            AddOrReplace(address, neighbour);
        }
    }

    /// <summary>Removes a static entry; a learned one (or none) is left alone and false returned.</summary>
    public bool RemoveStatic(IpAddress address)
    {
        lock (writeLock)
        {
            return !lastConfirmed.ContainsKey(address) && Remove(address);
        }
    }

    /// <summary>True for a learned entry, with when it was last confirmed (ticks of the plane's clock).</summary>
    public bool IsLearned(IpAddress address, out long confirmedAt) => lastConfirmed.TryGetValue(address, out confirmedAt);

    public bool TryGet(IpAddress address, out Neighbour neighbour) => Snapshot.TryGetValue(address, out neighbour);

    /// <summary>Learned entries (the rest are static).</summary>
    public int LearnedCount => lastConfirmed.Count;

    /// <summary>
    /// A neighbour seen on the wire: publishes it when new or changed (a static entry is never overridden) and
    /// stamps it confirmed at <paramref name="now"/>. Cheap when nothing changed: a lookup and one in-place store.
    /// </summary>
    public void Learn(IpAddress address, Neighbour neighbour, long now)
    {
        bool present = Snapshot.TryGetValue(address, out var known);
        if (present && !lastConfirmed.ContainsKey(address))
        {
            return; // static: configuration wins over what the wire says
        }

        if (!present || known != neighbour)
        {
            AddOrReplace(address, neighbour);
        }

        lastConfirmed[address] = now;
    }

    /// <summary>Removes learned entries not confirmed since <paramref name="now"/> - <paramref name="maxAge"/>; returns how many.</summary>
    public int Expire(long now, long maxAge)
    {
        int removed = 0;
        foreach (var (address, confirmed) in lastConfirmed)
        {
            if (now - confirmed >= maxAge && lastConfirmed.TryRemove(address, out _))
            {
                Remove(address);
                removed++;
            }
        }

        return removed;
    }

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
