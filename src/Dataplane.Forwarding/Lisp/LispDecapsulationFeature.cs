using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// The decapsulating half of LISP (roles etr, petr, and the first half of rtr): terminates LISP data packets sent to
/// our RLOCs and punts LISP control messages sent to us. Shares its <see cref="LispTables"/> with the encapsulating
/// feature, so both read the same local database and map-cache.
/// </summary>
public sealed class LispDecapsulationFeature(LispTables tables) : IForwardingFeature
{
    public int Order => StageOrder.LispDecapsulation;

    public LispTables Tables => tables;

    public IBatchStage CreateStage(ForwardingPlane plane) => new LispDecapsulationStage(plane, tables);

    /// <summary>Reclaiming twice (this feature and the encapsulating one share the tables) is harmless: the second call finds nothing retired.</summary>
    public void ReclaimRetired() => tables.ReclaimRetired();
}
