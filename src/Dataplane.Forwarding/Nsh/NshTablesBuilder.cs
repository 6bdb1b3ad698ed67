using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Routing;
using Dataplane.Wire.Addresses;
using Dataplane.Wire.Tunnels;

namespace Dataplane.Forwarding.Nsh;

/// <summary>Checks every field of the "nsh" section (errors name it as a JSON path) and builds the <see cref="NshTables"/>.</summary>
public static partial class NshTablesBuilder
{
    /// <summary>Most service paths.</summary>
    public const int MaxPaths = 4096;

    /// <summary>Most service functions.</summary>
    public const int MaxFunctions = 1024;

    /// <summary>Most hops of one path: the Service Index counts down from 255 and 0 is not a hop's.</summary>
    public const int MaxHops = 255;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    /// <summary>
    /// Checks the section and builds its tables. Paths whose SPI was in <paramref name="previous"/> keep their
    /// counters, so a change of hops does not reset what the path has carried.
    /// </summary>
    public static NshTables Build(NshConfig config, PortTable ports, IReadOnlyCollection<IpAddress> portAddresses, int workers, NshTables? previous = null)
    {
        IpAddress? local = null;
        if (config.LocalAddress is not null)
        {
            local = ConfigValues.Ip(config.LocalAddress, "nsh.localAddress");
            if (!portAddresses.Contains(local.Value))
            {
                throw new ConfigurationException("nsh.localAddress", $"{local} is not an address of any port");
            }
        }

        if (config.MdType is not (1 or 2))
        {
            throw new ConfigurationException("nsh.mdType", $"{config.MdType} is not 1 or 2");
        }

        if (config.UnderlayTtl is < 1 or > 255)
        {
            throw new ConfigurationException("nsh.underlayTtl", $"{config.UnderlayTtl} is outside 1..255");
        }

        if (config.ServiceFunctions.Count > MaxFunctions)
        {
            throw new ConfigurationException("nsh.serviceFunctions", $"{config.ServiceFunctions.Count} service functions; at most {MaxFunctions}");
        }

        if (config.ServicePaths.Count > MaxPaths)
        {
            throw new ConfigurationException("nsh.servicePaths", $"{config.ServicePaths.Count} service paths; at most {MaxPaths}");
        }

        var functions = new Dictionary<string, NshServiceFunction>(StringComparer.Ordinal);
        for (int i = 0; i < config.ServiceFunctions.Count; i++)
        {
            var function = Function(config.ServiceFunctions[i], $"nsh.serviceFunctions[{i}]", local, ports, portAddresses);
            if (!functions.TryAdd(function.Name, function))
            {
                throw new ConfigurationException($"nsh.serviceFunctions[{i}].name", $"'{function.Name}' names another service function too");
            }
        }

        var paths = new Dictionary<uint, NshServicePath>();
        for (int i = 0; i < config.ServicePaths.Count; i++)
        {
            var path = config.ServicePaths[i];
            string field = $"nsh.servicePaths[{i}]";
            if (path.Spi is < 1 or > NshHeader.MaxSpi)
            {
                throw new ConfigurationException($"{field}.spi", $"{path.Spi} is outside 1..{NshHeader.MaxSpi}");
            }

            if (paths.ContainsKey(path.Spi))
            {
                throw new ConfigurationException($"{field}.spi", $"SPI {path.Spi} is another path's too");
            }

            if (path.Hops.Count is 0 or > MaxHops)
            {
                throw new ConfigurationException($"{field}.hops", $"{path.Hops.Count} hops; a path has 1..{MaxHops}");
            }

            var hops = new NshServiceFunction[path.Hops.Count];
            for (int h = 0; h < hops.Length; h++)
            {
                if (!functions.TryGetValue(path.Hops[h], out var function))
                {
                    throw new ConfigurationException($"{field}.hops[{h}]", $"'{path.Hops[h]}' is not a service function");
                }

                hops[h] = function;
            }

            bool route = ConfigValues.OneOf(path.End, $"{field}.end", EndChoices);
            var counters = previous is not null && previous.Paths.TryGetValue(path.Spi, out var before) ? before.Counters : new NshPathCounters(workers);
            paths.Add(path.Spi, new NshServicePath(path.Spi, hops, route, path.InstanceId, counters));
        }

        return new NshTables(paths.ToFrozenDictionary(), functions.ToFrozenDictionary(StringComparer.Ordinal), (byte)config.MdType, (byte)config.UnderlayTtl);
    }

    private static readonly FrozenDictionary<string, bool> EndChoices =
        new Dictionary<string, bool>(StringComparer.Ordinal) { ["route"] = true, ["drop"] = false }.ToFrozenDictionary(StringComparer.Ordinal);

    private static NshServiceFunction Function(NshFunctionConfig config, string field, IpAddress? local, PortTable ports, IReadOnlyCollection<IpAddress> portAddresses)
    {
        if (config.Name is null || !NamePattern().IsMatch(config.Name))
        {
            throw new ConfigurationException($"{field}.name", $"'{config.Name}' is not a name of 1..64 letters, digits, '.', '_' or '-'");
        }

        switch (config.Transport)
        {
            case "vxlan-gpe":
            {
                if (config.Mac is not null || config.Port is not null)
                {
                    throw new ConfigurationException($"{field}.{(config.Mac is not null ? "mac" : "port")}", "only an ethernet function has a MAC and a port");
                }

                var address = ConfigValues.Ip(config.Address, $"{field}.address");
                if (portAddresses.Contains(address))
                {
                    throw new ConfigurationException($"{field}.address", $"{address} is our own address");
                }

                if (config.Vni > BigEndianUInt24Max)
                {
                    throw new ConfigurationException($"{field}.vni", $"{config.Vni} is outside 0..{BigEndianUInt24Max}");
                }

                if (!TrySource(local, address, ports, out var source))
                {
                    throw new ConfigurationException($"{field}.address", $"{address}: no port has an address of its family to send from");
                }

                return new NshServiceFunction(config.Name, false, address, source, config.Vni, default, 0);
            }

            case "ethernet":
            {
                if (config.Address is not null)
                {
                    throw new ConfigurationException($"{field}.address", "an ethernet function is reached by MAC and port, not by address");
                }

                var mac = ConfigValues.Mac(config.Mac, $"{field}.mac");
                if (config.Port is null || !ports.TryFind(config.Port, out var port))
                {
                    throw new ConfigurationException($"{field}.port", $"'{config.Port}' is not a port");
                }

                return new NshServiceFunction(config.Name, true, default, default, 0, mac, port.Id);
            }

            default:
                throw new ConfigurationException($"{field}.transport", $"'{config.Transport}' is not one of: vxlan-gpe, ethernet");
        }
    }

    private const uint BigEndianUInt24Max = 0xFF_FFFF;

    /// <summary>The configured local address when of the function's family, else the first such address of the ports in order.</summary>
    private static bool TrySource(IpAddress? local, IpAddress destination, PortTable ports, out IpAddress source)
    {
        if (local is { } configured && configured.IsV4 == destination.IsV4)
        {
            source = configured;
            return true;
        }

        foreach (var port in ports.All)
        {
            foreach (var address in port.Addresses)
            {
                if (address.IsV4 == destination.IsV4 && !address.IsLinkLocal())
                {
                    source = address;
                    return true;
                }
            }
        }

        source = default;
        return false;
    }

    private static bool IsLinkLocal(this IpAddress address) => address.IsV6 && (address.AsV6().Value >> 118) == 0x3FA; // fe80::/10
}
