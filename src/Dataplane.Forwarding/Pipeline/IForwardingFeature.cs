using Dataplane.Forwarding.Stages;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// One capability of the data plane (LISP, VXLAN, GTP-U, native routing): owns its tables, shared by all workers,
/// and makes each worker its own stage (stages may keep per-worker state such as a nonce generator or a rate
/// limiter). Built once from the configuration by <see cref="ForwardingPlaneBuilder"/>.
/// </summary>
public interface IForwardingFeature
{
    /// <summary>Where the feature's stage runs in the pipeline; see <see cref="StageOrder"/>.</summary>
    int Order { get; }

    IBatchStage CreateStage(ForwardingPlane plane);

    /// <summary>Frees memory retired by table updates. Called at a quiescent point: every worker is between batches.</summary>
    void ReclaimRetired();
}

/// <summary>A feature whose stage joins a worker's graph only when it has something to do when the worker is built.</summary>
public interface IOptionalStageFeature
{
    /// <summary>Asked once per worker built: false leaves the stage out of that worker's graph.</summary>
    bool WantsStage { get; }
}
