using Dataplane.Control.Persistence;
using Dataplane.Control.Socket;
using Dataplane.Control.State;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;

namespace Dataplane.Control.Verification;

/// <summary>
/// <c>dataplane verify</c> without the command line: builds the forwarding plane from a configuration as
/// <c>dataplane run</c> does (the same builder, so a bad configuration is the same <see cref="ConfigurationException"/>),
/// overlays a state directory read-only (the snapshot and journal a daemon wrote; nothing is written to it), opens no
/// port, and runs every check over the result (docs/verify.md).
/// </summary>
public static class ConfigurationVerifier
{
    /// <summary>The findings, in the order the checks run; throws <see cref="ConfigurationException"/> for a configuration run would refuse.</summary>
    public static IReadOnlyList<VerificationFinding> Verify(DataplaneConfig config, string? stateDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var plane = ForwardingPlaneBuilder.Build(config);
        var methods = new ControlMethods(plane);
        methods.Context.TofServices = plane.Feature<TofFeature>()?.Services;
        var findings = new List<VerificationFinding>();
        var before = RuleStateDump.Build(methods.Context);
        if (stateDirectory is not null)
        {
            StateReplay.Replay(stateDirectory, methods, problem =>
                findings.Add(VerificationFinding.Warning(FindingCodes.StateEntryNotApplied, $"state:{stateDirectory}", problem)));
        }

        var origins = new StateOrigins(before, RuleStateDump.Build(methods.Context));
        var view = NetworkViewBuilder.Build(config, plane, methods.Context, origins);
        Run(view, findings);
        return findings;
    }

    /// <summary>Every check over a view already built.</summary>
    public static void Run(NetworkView view, List<VerificationFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(view);
        ReachabilityCheck.Run(view, findings);
        RouteLoopCheck.Run(view, findings);
        AppsPortCheck.Run(view, findings);
        RuleShadowCheck.Run(view.Rules, findings);
    }
}
