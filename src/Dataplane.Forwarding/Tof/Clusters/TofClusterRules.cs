using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof.Clusters;

/// <summary>
/// What makes a set of instances a cluster a service may have, for every reader of one (the configuration, the
/// control socket, the REST API): 1..64 instances, each a unicast address of the service's family other than the
/// service address, no address twice, weights 1..1000.
/// </summary>
public static class TofClusterRules
{
    /// <summary>The first problem of instance <paramref name="index"/>: which of its fields ("ip", "weight") and what; null when it is fine.</summary>
    public static (string Field, string Message)? InstanceProblem(IReadOnlyList<TofApplication> applications, int index, IpAddress serviceIp)
    {
        ArgumentNullException.ThrowIfNull(applications);
        var application = applications[index];
        if (TofServiceAddress.Problem(application.Ip) is { } unicast)
        {
            return ("ip", $"{application.Ip} is not a unicast address ({unicast})");
        }

        if (TofServiceAddress.PairProblem(serviceIp, application.Ip) is { } pair)
        {
            return ("ip", $"{application.Ip} {pair}");
        }

        for (int earlier = 0; earlier < index; earlier++)
        {
            if (applications[earlier].Ip == application.Ip)
            {
                return ("ip", $"{application.Ip} is already instance [{earlier}]");
            }
        }

        return application.Weight is < 1 or > TofApplication.MaxWeight
            ? ("weight", $"{application.Weight} is outside 1..{TofApplication.MaxWeight}")
            : null;
    }

    /// <summary>Why a cluster of <paramref name="count"/> instances cannot be (none, or more than the limit); null when it can.</summary>
    public static string? CountProblem(int count) => count switch
    {
        0 => "a cluster needs at least one instance",
        > TofApplication.MaxInstances => $"{count} instances; a service has at most {TofApplication.MaxInstances}",
        _ => null,
    };
}
