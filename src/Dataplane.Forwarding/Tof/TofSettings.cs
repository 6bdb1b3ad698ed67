using System.Collections.Frozen;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>The "tof" section, checked field by field (errors name the JSON path).</summary>
public sealed class TofSettings
{
    /// <summary>Shared S1 layout: the S1 port; separate layout: the eNB port.</summary>
    public required ushort EnbPort { get; init; }

    /// <summary>Shared S1 layout: the S1 port again; separate layout: the SGW port.</summary>
    public required ushort SgwPort { get; init; }

    public required ushort AppsPort { get; init; }

    /// <summary>True when eNBs and SGWs share one port, so the address lists tell the direction.</summary>
    public bool SharedS1 => EnbPort == SgwPort;

    /// <summary>The eNBs' / gNBs' IPv4 S1-U / N3 addresses (shared layout).</summary>
    public required FrozenSet<Ipv4Address> EnbAddresses { get; init; }

    /// <summary>The SGWs' / UPFs' IPv4 S1-U / N3 addresses (shared layout).</summary>
    public required FrozenSet<Ipv4Address> SgwAddresses { get; init; }

    /// <summary>The eNBs' / gNBs' IPv6 S1-U / N3 addresses (shared layout; both families may be listed in enbAddresses).</summary>
    public FrozenSet<Ipv6Address> EnbAddresses6 { get; init; } = FrozenSet<Ipv6Address>.Empty;

    /// <summary>The SGWs' / UPFs' IPv6 S1-U / N3 addresses (shared layout).</summary>
    public FrozenSet<Ipv6Address> SgwAddresses6 { get; init; } = FrozenSet<Ipv6Address>.Empty;

    public required IReadOnlyList<TofService> Services { get; init; }

    public required int IdleTimeoutSeconds { get; init; }

    public required int TunnelCapacity { get; init; }

    public required int FlowCapacity { get; init; }

    public TofPingerSettings? Pinger { get; init; }

    public static TofSettings Read(DataplaneConfig config, PortTable ports)
    {
        var section = config.Tof ?? throw new ConfigurationException("tof", "the tof role needs a \"tof\" section");
        var (enbAddresses, enbAddresses6) = Addresses(section.EnbAddresses, "tof.enbAddresses");
        var (sgwAddresses, sgwAddresses6) = Addresses(section.SgwAddresses, "tof.sgwAddresses");
        ushort enbPort;
        ushort sgwPort;
        if (section.S1Port is not null)
        {
            if (section.EnbPort is not null || section.SgwPort is not null)
            {
                throw new ConfigurationException("tof.s1Port", "give either s1Port (shared) or enbPort and sgwPort (separate), not both");
            }

            enbPort = sgwPort = ForwardingPlaneBuilder.PortNamed(ports, section.S1Port, "tof.s1Port").Id;
            if (enbAddresses.Count + enbAddresses6.Count == 0)
            {
                throw new ConfigurationException("tof.enbAddresses", "a shared s1Port needs the eNB addresses (the direction cannot be auto-detected)");
            }

            if (sgwAddresses.Count + sgwAddresses6.Count == 0)
            {
                throw new ConfigurationException("tof.sgwAddresses", "a shared s1Port needs the SGW addresses (the direction cannot be auto-detected)");
            }
        }
        else
        {
            if (section.EnbPort is null)
            {
                throw new ConfigurationException("tof.enbPort", "give enbPort and sgwPort (separate ports) or s1Port (shared)");
            }

            enbPort = ForwardingPlaneBuilder.PortNamed(ports, section.EnbPort, "tof.enbPort").Id;
            sgwPort = ForwardingPlaneBuilder.PortNamed(ports, section.SgwPort, "tof.sgwPort").Id;
            if (enbPort == sgwPort)
            {
                throw new ConfigurationException("tof.sgwPort", "is the eNB port: for one shared port use s1Port with enbAddresses and sgwAddresses");
            }
        }

        foreach (var address in enbAddresses)
        {
            if (sgwAddresses.Contains(address))
            {
                throw new ConfigurationException("tof.sgwAddresses", $"{address} is also in enbAddresses");
            }
        }

        foreach (var address in enbAddresses6)
        {
            if (sgwAddresses6.Contains(address))
            {
                throw new ConfigurationException("tof.sgwAddresses", $"{address} is also in enbAddresses");
            }
        }

        ushort appsPort = ForwardingPlaneBuilder.PortNamed(ports, section.AppsPort, "tof.appsPort").Id;
        if ((appsPort == enbPort || appsPort == sgwPort) && enbPort != sgwPort)
        {
            throw new ConfigurationException("tof.appsPort", "is the eNB or SGW port: only a shared s1Port may also be the Apps port (one-armed)");
        }

        if (section.IdleTimeoutSeconds is < 1 or > 86_400 * 7)
        {
            throw new ConfigurationException("tof.idleTimeoutSeconds", $"{section.IdleTimeoutSeconds} is outside 1..604800");
        }

        CheckCapacity(section.TunnelCapacity, "tof.tunnelCapacity");
        CheckCapacity(section.FlowCapacity, "tof.flowCapacity");
        return new TofSettings
        {
            EnbPort = enbPort,
            SgwPort = sgwPort,
            AppsPort = appsPort,
            EnbAddresses = enbAddresses,
            SgwAddresses = sgwAddresses,
            EnbAddresses6 = enbAddresses6,
            SgwAddresses6 = sgwAddresses6,
            Services = ReadServices(section.Services),
            IdleTimeoutSeconds = section.IdleTimeoutSeconds,
            TunnelCapacity = section.TunnelCapacity,
            FlowCapacity = section.FlowCapacity,
            Pinger = section.Pinger is null ? null : TofPingerSettings.Read(section.Pinger),
        };
    }

    /// <summary>One service body (configuration or REST), checked; <paramref name="field"/> prefixes error paths.</summary>
    public static TofService ReadService(TofServiceConfig service, string field)
    {
        if (string.IsNullOrWhiteSpace(service.Name))
        {
            throw new ConfigurationException($"{field}.name", "a service needs a name");
        }

        var serviceIp = ConfigValues.Ip(service.ServiceIP, $"{field}.serviceIP");
        if (TofServiceAddress.Problem(serviceIp) is { } serviceProblem)
        {
            throw new ConfigurationException($"{field}.serviceIP", $"{serviceIp} is not a unicast address ({serviceProblem})");
        }

        if (service.Applications is not null)
        {
            return service.ApplicationIP is not null
                ? throw new ConfigurationException($"{field}.applications", "give applicationIP (one application) or applications (a cluster), not both")
                : new TofService(service.Name, serviceIp, TofClusterConfig.Read(service.Applications, serviceIp, $"{field}.applications"));
        }

        if (service.ApplicationIP is null)
        {
            throw new ConfigurationException($"{field}.applicationIP", "missing; give applicationIP (one application) or applications (a cluster)");
        }

        var applicationIp = ConfigValues.Ip(service.ApplicationIP, $"{field}.applicationIP");

        if (TofServiceAddress.Problem(applicationIp) is { } applicationProblem)
        {
            throw new ConfigurationException($"{field}.applicationIP", $"{applicationIp} is not a unicast address ({applicationProblem})");
        }

        if (TofServiceAddress.PairProblem(serviceIp, applicationIp) is { } pairProblem)
        {
            throw new ConfigurationException($"{field}.applicationIP", pairProblem);
        }

        return new TofService(service.Name, serviceIp, applicationIp);
    }

    private static List<TofService> ReadServices(IReadOnlyList<TofServiceConfig> services)
    {
        var read = new List<TofService>();
        for (int i = 0; i < services.Count; i++)
        {
            var service = ReadService(services[i], $"tof.services[{i}]");
            if (read.FindIndex(s => s.Name == service.Name) is var sameName and >= 0)
            {
                throw new ConfigurationException($"tof.services[{i}].name", $"'{service.Name}' is already the name of tof.services[{sameName}]");
            }

            if (read.FindIndex(s => s.ServiceIp == service.ServiceIp) is var sameIp and >= 0)
            {
                throw new ConfigurationException($"tof.services[{i}].serviceIP", $"{service.ServiceIp} is already the serviceIP of tof.services[{sameIp}]");
            }

            if (TofClusterConfig.SharedApplication(read, service, $"tof.services[{i}]") is { } shared)
            {
                throw shared;
            }

            read.Add(service);
        }

        return read;
    }

    private static (FrozenSet<Ipv4Address> V4, FrozenSet<Ipv6Address> V6) Addresses(IReadOnlyList<string> texts, string field)
    {
        var v4 = new HashSet<Ipv4Address>();
        var v6 = new HashSet<Ipv6Address>();
        for (int i = 0; i < texts.Count; i++)
        {
            var address = ConfigValues.Ip(texts[i], $"{field}[{i}]");
            if (address.IsV4)
            {
                v4.Add(address.AsV4());
            }
            else
            {
                v6.Add(address.AsV6());
            }
        }

        return (v4.ToFrozenSet(), v6.ToFrozenSet());
    }

    private static void CheckCapacity(int capacity, string field)
    {
        if (capacity < TofSlotTable<Ipv4Address, TofTunnel>.ProbeWindow || capacity > 1 << 24 || (capacity & (capacity - 1)) != 0)
        {
            throw new ConfigurationException(field, $"{capacity} is not a power of two in 16..16777216");
        }
    }
}
