using System.Collections.Frozen;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Routing;
using Dataplane.Tables.Vxlan;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Vxlan;

/// <summary>Checks every field of the "vxlan" section (errors name it) and builds the <see cref="VxlanTables"/>.</summary>
public static class VxlanTablesBuilder
{
    private const uint MaxVni = 0xFF_FFFF;

    /// <summary>Most L2 bridge domains (a MAC-table key holds the domain index in 16 bits).</summary>
    public const int MaxBridgeDomains = 4096;

    /// <summary>Most distinct remote VTEP addresses over all VNIs (flood lists and L3 routes).</summary>
    public const int MaxRemoteVteps = 4096;

    /// <summary>Most static MACs in one bridge domain.</summary>
    public const int MaxStaticMacsPerDomain = 65536;

    /// <summary>
    /// Checks the section and builds its tables. With <paramref name="previous"/> (a run-time change that removes
    /// nothing), every remote VTEP and bridge domain keeps the index it had and the learned MAC table is the same
    /// one, so the MACs learned behind them stay right.
    /// </summary>
    public static VxlanTables Build(VxlanConfig config, PortTable ports, IReadOnlyCollection<IpAddress> portAddresses, VxlanTables? previous = null)
    {
        IpAddress? v4 = null;
        IpAddress? v6 = null;
        if (config.LocalVteps.Count == 0)
        {
            throw new ConfigurationException("vxlan.localVteps", "at least one local VTEP address is needed");
        }

        for (int i = 0; i < config.LocalVteps.Count; i++)
        {
            string field = $"vxlan.localVteps[{i}]";
            var address = ConfigValues.Ip(config.LocalVteps[i], field);
            if (!portAddresses.Contains(address))
            {
                throw new ConfigurationException(field, $"{address} is not an address of any port");
            }

            if ((address.IsV4 ? v4 : v6) is not null)
            {
                throw new ConfigurationException(field, $"a second {(address.IsV4 ? "IPv4" : "IPv6")} VTEP address; one per family");
            }

            if (address.IsV4)
            {
                v4 = address;
            }
            else
            {
                v6 = address;
            }
        }

        CheckPort(config.UdpPort, "vxlan.udpPort");
        CheckPort(config.GpeUdpPort, "vxlan.gpeUdpPort");
        if (config.UdpPort == config.GpeUdpPort)
        {
            throw new ConfigurationException("vxlan.gpeUdpPort", "must differ from udpPort");
        }

        if (config.Ttl is < 1 or > 255)
        {
            throw new ConfigurationException("vxlan.ttl", $"{config.Ttl} is outside 1..255");
        }

        if (config.MacTableSize is < 16 or > 1 << 24)
        {
            throw new ConfigurationException("vxlan.macTableSize", $"{config.MacTableSize} is outside 16..16777216");
        }

        if (config.BridgeDomains.Count == 0 && config.L3Vnis.Count == 0)
        {
            throw new ConfigurationException("vxlan", "neither bridgeDomains nor l3Vnis: the VTEP would carry nothing");
        }

        if (config.BridgeDomains.Count > MaxBridgeDomains)
        {
            throw new ConfigurationException("vxlan.bridgeDomains", $"{config.BridgeDomains.Count} bridge domains; at most {MaxBridgeDomains}");
        }

        var vteps = new List<IpAddress>(previous?.RemoteVteps ?? []);
        var vtepIndex = new Dictionary<IpAddress, ushort>();
        for (int i = 0; i < vteps.Count; i++)
        {
            vtepIndex[vteps[i]] = (ushort)i;
        }

        var previousIndex = previous?.Domains.ToDictionary(d => d.Vni, d => d.Index) ?? [];
        int nextDomainIndex = previous is null || previous.Domains.Length == 0 ? 0 : previous.Domains.Max(d => d.Index) + 1;
        ushort IndexOf(string? text, string field)
        {
            var address = ConfigValues.Ip(text, field);
            if ((address.IsV4 ? v4 : v6) is null)
            {
                throw new ConfigurationException(field, $"{address}: there is no local VTEP address of its family to send from");
            }

            if (address == v4 || address == v6)
            {
                throw new ConfigurationException(field, $"{address} is our own VTEP address");
            }

            if (!vtepIndex.TryGetValue(address, out ushort index))
            {
                if (vteps.Count >= MaxRemoteVteps)
                {
                    throw new ConfigurationException(field, $"{address}: already {MaxRemoteVteps} remote VTEPs, the most a VTEP holds");
                }

                index = (ushort)vteps.Count;
                vteps.Add(address);
                vtepIndex[address] = index;
            }

            return index;
        }

        var vnis = new Dictionary<uint, VniBinding>();
        void CheckVni(uint vni, string field)
        {
            if (vni > MaxVni)
            {
                throw new ConfigurationException(field, $"{vni} does not fit 24 bits");
            }

            if (vnis.ContainsKey(vni))
            {
                throw new ConfigurationException(field, $"VNI {vni} is configured twice");
            }
        }

        var domainOfPort = new BridgeDomain?[ports.Count];
        var domains = new List<BridgeDomain>();
        for (int d = 0; d < config.BridgeDomains.Count; d++)
        {
            var source = config.BridgeDomains[d];
            string field = $"vxlan.bridgeDomains[{d}]";
            CheckVni(source.Vni, $"{field}.vni");
            if (source.Ports.Count == 0)
            {
                throw new ConfigurationException($"{field}.ports", "at least one access port is needed");
            }

            var access = new ushort[source.Ports.Count];
            for (int p = 0; p < access.Length; p++)
            {
                var port = ForwardingPlaneBuilder.PortNamed(ports, source.Ports[p], $"{field}.ports[{p}]");
                if (domainOfPort[port.Id] is not null || Array.IndexOf(access, port.Id, 0, p) >= 0)
                {
                    throw new ConfigurationException($"{field}.ports[{p}]", $"port '{port.Name}' is already an access port of a bridge domain");
                }

                if (v4 is { } a4 && port.Addresses.Contains(a4) || v6 is { } a6 && port.Addresses.Contains(a6))
                {
                    throw new ConfigurationException($"{field}.ports[{p}]", $"port '{port.Name}' holds a VTEP address: it is an underlay port, not an access port");
                }

                access[p] = port.Id;
            }

            var remotes = new ushort[source.RemoteVteps.Count];
            for (int r = 0; r < remotes.Length; r++)
            {
                remotes[r] = IndexOf(source.RemoteVteps[r], $"{field}.remoteVteps[{r}]");
            }

            if (source.AgingSeconds is < 1 or > 1_000_000)
            {
                throw new ConfigurationException($"{field}.agingSeconds", $"{source.AgingSeconds} is outside 1..1000000");
            }

            if (source.StaticMacs.Count > MaxStaticMacsPerDomain)
            {
                throw new ConfigurationException($"{field}.staticMacs", $"{source.StaticMacs.Count} static MACs; at most {MaxStaticMacsPerDomain} per domain");
            }

            var statics = new Dictionary<ulong, MacTableEntry>();
            for (int s = 0; s < source.StaticMacs.Count; s++)
            {
                var entry = source.StaticMacs[s];
                string sfield = $"{field}.staticMacs[{s}]";
                var mac = ConfigValues.Mac(entry.Mac, $"{sfield}.mac");
                if (mac.IsMulticast)
                {
                    throw new ConfigurationException($"{sfield}.mac", $"{mac} is a multicast/broadcast MAC");
                }

                if (statics.ContainsKey(mac.Value))
                {
                    throw new ConfigurationException($"{sfield}.mac", $"{mac} is listed twice");
                }

                if ((entry.Vtep is null) == (entry.Port is null))
                {
                    throw new ConfigurationException(sfield, "give exactly one of vtep and port");
                }

                if (entry.Vtep is not null)
                {
                    ushort index = IndexOf(entry.Vtep, $"{sfield}.vtep");
                    if (Array.IndexOf(remotes, index) < 0)
                    {
                        throw new ConfigurationException($"{sfield}.vtep", $"{entry.Vtep} is not one of this domain's remoteVteps");
                    }

                    statics[mac.Value] = MacTableEntry.Remote(index, 0);
                }
                else
                {
                    var port = ForwardingPlaneBuilder.PortNamed(ports, entry.Port, $"{sfield}.port");
                    if (Array.IndexOf(access, port.Id) < 0)
                    {
                        throw new ConfigurationException($"{sfield}.port", $"'{port.Name}' is not one of this domain's ports");
                    }

                    statics[mac.Value] = MacTableEntry.Local(port.Id, 0);
                }
            }

            if (!previousIndex.TryGetValue(source.Vni, out ushort domainIndex))
            {
                if (nextDomainIndex >= ushort.MaxValue - 1)
                {
                    throw new ConfigurationException($"{field}.vni", "no domain index left: remove a domain (which renumbers them) first");
                }

                domainIndex = (ushort)(previous is null ? d : nextDomainIndex++);
            }

            var domain = new BridgeDomain(domainIndex, source.Vni, access, remotes, statics.ToFrozenDictionary(), source.AgingSeconds);
            foreach (ushort port in access)
            {
                domainOfPort[port] = domain;
            }

            domains.Add(domain);
            vnis[source.Vni] = new VniBinding(domain, null);
        }

        var l3Vnis = new List<L3Vni>();
        for (int v = 0; v < config.L3Vnis.Count; v++)
        {
            var source = config.L3Vnis[v];
            string field = $"vxlan.l3Vnis[{v}]";
            CheckVni(source.Vni, $"{field}.vni");
            if (source.InstanceId > EidPrefix.MaxInstanceId)
            {
                throw new ConfigurationException($"{field}.instanceId", $"{source.InstanceId} does not fit 24 bits");
            }

            if (l3Vnis.Any(l => l.InstanceId == source.InstanceId))
            {
                throw new ConfigurationException($"{field}.instanceId", $"instance {source.InstanceId} already has an L3 VNI");
            }

            if (source.InstanceId == 0)
            {
                throw new ConfigurationException($"{field}.instanceId", "instance 0 is the underlay; give the tenant VRF its own instance");
            }

            var routerMac = ConfigValues.Mac(source.RouterMac, $"{field}.routerMac");
            if (routerMac.IsMulticast || routerMac.Value == 0)
            {
                throw new ConfigurationException($"{field}.routerMac", $"{routerMac} is not a unicast MAC");
            }

            var routes = new L3VniRoute[source.Routes.Count];
            for (int r = 0; r < routes.Length; r++)
            {
                var route = source.Routes[r];
                string rfield = $"{field}.routes[{r}]";
                var parsed = ConfigValues.Prefix(route.Prefix, $"{rfield}.prefix");
                var prefix = EidPrefix.Create(source.InstanceId, parsed.Address, parsed.PrefixLength);
                if (parsed.InstanceId != 0 && parsed.InstanceId != source.InstanceId)
                {
                    throw new ConfigurationException($"{rfield}.prefix", $"instance {parsed.InstanceId} is not this VNI's instance {source.InstanceId}");
                }

                ushort vtep = IndexOf(route.Vtep, $"{rfield}.vtep");
                var mac = Wire.Addresses.MacAddress.Zero;
                if (!source.Gpe || route.Mac is not null)
                {
                    mac = ConfigValues.Mac(route.Mac, $"{rfield}.mac");
                }

                routes[r] = new L3VniRoute(prefix, vtep, mac);
            }

            var l3 = new L3Vni(source.Vni, source.InstanceId, routerMac, source.Gpe, routes);
            l3Vnis.Add(l3);
            vnis[source.Vni] = new VniBinding(null, l3);
        }

        return new VxlanTables
        {
            LocalVtepV4 = v4,
            LocalVtepV6 = v6,
            UdpPort = (ushort)config.UdpPort,
            GpeUdpPort = (ushort)config.GpeUdpPort,
            Ttl = (byte)config.Ttl,
            RemoteVteps = [.. vteps],
            RemoteVtepIndex = vtepIndex.ToFrozenDictionary(),
            DomainOfPort = domainOfPort,
            Domains = [.. domains],
            Vnis = vnis.ToFrozenDictionary(),
            L3Vnis = [.. l3Vnis],
            Macs = previous?.Macs ?? new MacTable(config.MacTableSize),
        };
    }

    private static void CheckPort(int port, string field)
    {
        if (port is < 1 or > 65535)
        {
            throw new ConfigurationException(field, $"{port} is outside 1..65535");
        }
    }
}
