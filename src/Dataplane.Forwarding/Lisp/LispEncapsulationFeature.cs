using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Lisp;

/// <summary>
/// The encapsulating half of LISP: ITR (packets from our EIDs), PITR (packets from anywhere, for non-LISP sites)
/// and the re-encapsulating half of an RTR (packets the ETR stage just took out of a tunnel). Shares its
/// <see cref="LispTables"/> with the decapsulation feature; each worker gets its own stage (nonce generator and
/// ICMP rate limiter are per worker).
/// </summary>
public sealed class LispEncapsulationFeature : IForwardingFeature
{
    public LispEncapsulationFeature(LispTables tables, LispEncapsulationSettings settings, bool itr, bool pitr, bool rtr)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(settings);
        Tables = tables;
        Settings = settings;
        IsItr = itr;
        IsPitr = pitr;
        IsRtr = rtr;
    }

    public int Order => StageOrder.LispEncapsulation;

    public LispTables Tables { get; }

    public LispEncapsulationSettings Settings { get; }

    public bool IsItr { get; }

    public bool IsPitr { get; }

    public bool IsRtr { get; }

    public IBatchStage CreateStage(ForwardingPlane plane) => new LispEncapsulationStage(plane, this);

    public void ReclaimRetired()
    {
        // The tables are shared with the decapsulation feature; the plane reclaims them once through
        // ForwardingPlane.ReclaimRetired -> each feature, and reclaiming twice at a quiescent point is harmless.
        Tables.ReclaimRetired();
    }
}
