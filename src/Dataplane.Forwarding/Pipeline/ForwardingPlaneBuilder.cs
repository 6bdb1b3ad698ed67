using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Routing;
using Dataplane.Forwarding.Stages;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Pipeline;

/// <summary>
/// Turns a <see cref="DataplaneConfig"/> into a <see cref="ForwardingPlane"/>: checks every field (a bad one is a
/// <see cref="ConfigurationException"/> naming it), fills the ports, neighbours and FIB, and creates the feature of
/// each configured role.
/// </summary>
public static class ForwardingPlaneBuilder
{
    /// <summary>The roles a configuration may name.</summary>
    public static IReadOnlyList<string> KnownRoles => DataplaneRoleNames.Known;

    public static ForwardingPlane Build(DataplaneConfig config, ForwardingPlaneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new ForwardingPlaneOptions();
        for (int i = 0; i < config.Roles.Count; i++)
        {
            if (!DataplaneRoleNames.TryParse(config.Roles[i], out _))
            {
                throw new ConfigurationException($"roles[{i}]", $"unknown role '{config.Roles[i]}'; known roles: {string.Join(", ", KnownRoles)}");
            }
        }

        LispControlConfigCheck.Validate(config);
        if (config.PuntQueueCapacity is < 1 or > 1 << 20)
        {
            throw new ConfigurationException("puntQueueCapacity", $"{config.PuntQueueCapacity} is outside 1..1048576");
        }

        (config.IcmpErrors ?? throw new ConfigurationException("icmpErrors", "must be an object, not null")).Validate();
        if (config.NeighbourAgingSeconds is < 1 or > 86_400)
        {
            throw new ConfigurationException("neighbourAgingSeconds", $"{config.NeighbourAgingSeconds} is outside 1..86400");
        }

        TunnelUdpChecksum.AcceptsBad(config); // names the field when it is neither "verify" nor "accept"
        if (config.Workers is < 1 or > 64)
        {
            throw new ConfigurationException("workers", $"{config.Workers} is outside 1..64");
        }

        for (int i = 0; i < config.Cores.Count; i++)
        {
            if (config.Cores[i] is < 0 or > 1023)
            {
                throw new ConfigurationException($"cores[{i}]", $"{config.Cores[i]} is not a CPU number (0..1023)");
            }
        }

        config.Control?.Validate();
        Egress.EgressConfigCheck.Validate(config);
        config.FlowExport?.Validate();
        var ports = BuildPorts(config);
        var neighbours = BuildNeighbours(config, ports);
        var fib = BuildFib(config, ports, neighbours);
        var plane = new ForwardingPlane(config, options, ports, fib, neighbours);
        var features = new List<IForwardingFeature> { new Neighbours.NeighbourDiscoveryFeature(), Fragments.ReassemblyFeature.Create(config, plane), new RoutingFeature() };
        features.AddRange(FeatureFactories.Create(config, plane));
        plane.Features = features;
        var endpoints = new TunnelEndpointsBuilder(plane.LocalAddresses);
        foreach (var feature in features.OfType<ITunnelEndpointFeature>())
        {
            feature.AddTunnelEndpoints(endpoints);
        }

        plane.TunnelEndpoints = endpoints.Build();
        return plane;
    }

    private static PortTable BuildPorts(DataplaneConfig config)
    {
        if (config.Ports.Count == 0)
        {
            throw new ConfigurationException("ports", "at least one port is needed");
        }

        var ports = new List<PortInfo>();
        for (int i = 0; i < config.Ports.Count; i++)
        {
            var port = config.Ports[i];
            string field = $"ports[{i}]";
            if (string.IsNullOrWhiteSpace(port.Name) || ports.Any(p => p.Name == port.Name))
            {
                throw new ConfigurationException($"{field}.name", $"'{port.Name}' is empty or used by another port");
            }

            if (port.Mtu is < 68 or > 9600)
            {
                throw new ConfigurationException($"{field}.mtu", $"{port.Mtu} is outside 68..9600");
            }

            if (port.InstanceId > EidPrefix.MaxInstanceId)
            {
                throw new ConfigurationException($"{field}.instanceId", $"{port.InstanceId} does not fit 24 bits");
            }

            var addresses = port.Addresses.Select((a, j) => ConfigValues.Ip(a, $"{field}.addresses[{j}]")).ToArray();
            ports.Add(new PortInfo((ushort)i, port.Name, ConfigValues.Mac(port.Mac, $"{field}.mac"), port.Mtu, port.InstanceId, addresses));
        }

        return new PortTable(ports);
    }

    private static NeighbourTable BuildNeighbours(DataplaneConfig config, PortTable ports)
    {
        var table = new NeighbourTable();
        for (int i = 0; i < config.Neighbours.Count; i++)
        {
            var neighbour = config.Neighbours[i];
            string field = $"neighbours[{i}]";
            var port = PortNamed(ports, neighbour.Port, $"{field}.port");
            table.AddOrReplace(ConfigValues.Ip(neighbour.Address, $"{field}.address"), new Neighbour(ConfigValues.Mac(neighbour.Mac, $"{field}.mac"), port.Id));
        }

        return table;
    }

    private static Fib BuildFib(DataplaneConfig config, PortTable ports, NeighbourTable neighbours)
    {
        var fib = new Fib(neighbours);
        for (int i = 0; i < config.Routes.Count; i++)
        {
            var route = config.Routes[i];
            string field = $"routes[{i}]";
            var prefix = ConfigValues.Prefix(route.Prefix, $"{field}.prefix");
            IpAddress? nextHop = route.NextHop is null ? null : ConfigValues.Ip(route.NextHop, $"{field}.nextHop");
            if (nextHop is { } hop && hop.Family != prefix.Family)
            {
                throw new ConfigurationException($"{field}.nextHop", $"{hop} is not of the prefix's address family");
            }

            fib.AddOrReplace(new Route(prefix, nextHop, PortNamed(ports, route.Port, $"{field}.port").Id));
        }

        return fib;
    }

    /// <summary>The port a configuration field names; the error lists the ports there are.</summary>
    public static PortInfo PortNamed(PortTable ports, string? name, string field) =>
        name is not null && ports.TryFind(name, out var port)
            ? port
            : throw new ConfigurationException(field, $"no port named '{name}'; ports: {string.Join(", ", ports.All.Select(p => p.Name))}");
}
