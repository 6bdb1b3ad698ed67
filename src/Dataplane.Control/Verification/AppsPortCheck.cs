namespace Dataplane.Control.Verification;

/// <summary>
/// The TOF sends offloaded flows toward each application through the FIB (instance 0); the applications are behind
/// the Apps port, and replies are recognised only there, so an application routed out of any other port is an error.
/// An application with no route at all is the reachability check's finding, not repeated here.
/// </summary>
public static class AppsPortCheck
{
    public static void Run(NetworkView view, List<VerificationFinding> findings)
    {
        if (view.AppsPort is not { } appsPort)
        {
            return;
        }

        foreach (var application in view.Applications)
        {
            if (view.Fib.TryLookup(0, application.Address, out var route) && route is not null && route.Port != appsPort)
            {
                findings.Add(VerificationFinding.Error(FindingCodes.AppNotViaAppsPort, application.Path,
                    $"application {application.Address} of service '{application.Service}' is routed by {view.PathOf(route)} out of port '{view.PortName(route.Port)}', not the Apps port '{view.PortName(appsPort)}'."));
            }
        }
    }
}
