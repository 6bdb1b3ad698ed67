using Dataplane.Forwarding.Configuration;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof.Clusters;

/// <summary>The "applications" of a service in the configuration file, checked (errors name the JSON path).</summary>
internal static class TofClusterConfig
{
    public static List<TofApplication> Read(IReadOnlyList<TofApplicationConfig> configured, IpAddress serviceIp, string field)
    {
        if (TofClusterRules.CountProblem(configured.Count) is { } countProblem)
        {
            throw new ConfigurationException(field, countProblem);
        }

        var applications = new List<TofApplication>(configured.Count);
        for (int i = 0; i < configured.Count; i++)
        {
            var instance = configured[i];
            applications.Add(new TofApplication(ConfigValues.Ip(instance.Ip, $"{field}[{i}].ip"), instance.Weight, instance.Drain));
            if (TofClusterRules.InstanceProblem(applications, i, serviceIp) is { } problem)
            {
                throw new ConfigurationException($"{field}[{i}].{problem.Field}", problem.Message);
            }
        }

        return applications;
    }

    /// <summary>An application address <paramref name="service"/> shares with one read before it (the return path needs one owner per address).</summary>
    public static ConfigurationException? SharedApplication(List<TofService> read, TofService service, string field)
    {
        for (int i = 0; i < service.Applications.Count; i++)
        {
            var address = service.Applications[i].Ip;
            int owner = read.FindIndex(s => s.IndexOf(address) >= 0);
            if (owner >= 0)
            {
                string at = service.IsCluster ? $"{field}.applications[{i}].ip" : $"{field}.applicationIP";
                return new ConfigurationException(at, $"{address} is already an application of tof.services[{owner}]; an application belongs to one service");
            }
        }

        return null;
    }
}
