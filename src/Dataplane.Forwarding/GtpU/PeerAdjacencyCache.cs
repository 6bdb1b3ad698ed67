using System.Collections.Frozen;
using Dataplane.Forwarding.Routing;
using Dataplane.Tables.MapCache;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// The underlay adjacency of the last tunnel peer resolved in this batch. Downlink traffic comes in runs toward the
/// same gNB (many UEs, one peer), so consecutive packets skip the FIB and neighbour lookups. Cleared at every batch
/// start, so a FIB or neighbour change takes effect from the next batch, as for every other per-batch read.
/// </summary>
internal struct PeerAdjacencyCache
{
    private IpAddress peer;
    private ResolveResult result;
    private Adjacency adjacency;
    private bool valid;

    public void Clear() => valid = false;

    public ResolveResult Resolve(IpAddress destination, Fib fib, FrozenDictionary<IpAddress, Neighbour> neighbours, PortTable ports, out Adjacency resolved)
    {
        if (!valid || peer != destination)
        {
            result = fib.TryResolve(0, destination, neighbours, ports, out adjacency);
            peer = destination;
            valid = true;
        }

        resolved = adjacency;
        return result;
    }
}
