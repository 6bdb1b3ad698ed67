namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// Checks the LISP control-plane fields of the "lisp" section when the plane is built, so a bad key, address or
/// interval is a configuration error naming its field before any port opens, not a failure once the daemon runs.
/// </summary>
public static class LispControlConfigCheck
{
    /// <summary>The control thread runs every 10 ms; probing faster than a few of its rounds measures the loop, not the path.</summary>
    private const int MinimumProbeIntervalMilliseconds = 50;

    public static void Validate(DataplaneConfig config)
    {
        var roles = DataplaneRoleNames.SetOf(config.Roles);
        bool msmr = roles.HasAny(DataplaneRoles.Msmr);
        if (config.Lisp is not { } lisp)
        {
            if (msmr)
            {
                throw new ConfigurationException("lisp", "role msmr needs a \"lisp\" section with localRlocs and mappingSystem");
            }

            return;
        }

        var own = OwnAddresses(config, lisp);
        for (int i = 0; i < lisp.MapResolvers.Count; i++)
        {
            NotOwn(ConfigValues.Ip(lisp.MapResolvers[i], $"lisp.mapResolvers[{i}]"), own, $"lisp.mapResolvers[{i}]", "resolve through");
        }

        for (int i = 0; i < lisp.MapServers.Count; i++)
        {
            var server = lisp.MapServers[i];
            NotOwn(ConfigValues.Ip(server.Address, $"lisp.mapServers[{i}].address"), own, $"lisp.mapServers[{i}].address", "register with");
            CheckKey(server.KeyId, server.Key, $"lisp.mapServers[{i}]");
        }

        if (lisp.XtrId is { } xtrId)
        {
            ConfigValues.XtrId(xtrId, "lisp.xtrId");
        }

        Range(lisp.RegisterIntervalSeconds, 1, 86_400, "lisp.registerIntervalSeconds");
        var requests = lisp.MapRequests;
        Range(requests.RetransmitMilliseconds, 10, 60_000, "lisp.mapRequests.retransmitMilliseconds");
        Range(requests.MaxRetransmits, 0, 10, "lisp.mapRequests.maxRetransmits");
        if (!(requests.PerDestinationPerSecond > 0 && requests.PerDestinationPerSecond <= 1000))
        {
            throw new ConfigurationException("lisp.mapRequests.perDestinationPerSecond", $"{requests.PerDestinationPerSecond} is outside (0, 1000]");
        }

        Range(requests.GlobalPerSecond, 1, 1_000_000, "lisp.mapRequests.globalPerSecond");
        Range(requests.PendingLimit, 1, 10_000_000, "lisp.mapRequests.pendingLimit");
        Range(requests.ResolverDownAfter, 1, 100, "lisp.mapRequests.resolverDownAfter");
        Range(requests.ResolverRetrySeconds, 1, 86_400, "lisp.mapRequests.resolverRetrySeconds");
        if (lisp.RlocProbing is { } probing)
        {
            CheckProbing(probing);
        }

        if (lisp.ChangePriority is { } changePriority)
        {
            CheckKey(changePriority.KeyId, changePriority.Key, "lisp.changePriority");
            if (!roles.HasAny(DataplaneRoles.LispXtr))
            {
                throw new ConfigurationException("lisp.changePriority", "Change-Priority is an xTR's: add role itr or etr");
            }

            if (changePriority.PreviousLocatorWaitMilliseconds is < 10 or > 10_000)
            {
                throw new ConfigurationException("lisp.changePriority.previousLocatorWaitMilliseconds",
                    $"{changePriority.PreviousLocatorWaitMilliseconds} is outside 10..10000 (how long an arriving EID waits for the mapping system to say where it was)");
            }
        }

        if (msmr && lisp.MappingSystem is null)
        {
            throw new ConfigurationException("lisp.mappingSystem", "role msmr needs the sites allowed to register (lisp.mappingSystem.sites)");
        }

        if (lisp.MappingSystem is { } mappingSystem)
        {
            Range(mappingSystem.MaxRegistrations, 1, MappingSystemConfig.MaxRegistrationsLimit, "lisp.mappingSystem.maxRegistrations");
            Range(mappingSystem.MaxPartsPerPrefix, 1, 255, "lisp.mappingSystem.maxPartsPerPrefix");
            if (mappingSystem.RegistrationTtlSeconds is { } ttlSeconds)
            {
                Range(ttlSeconds, 1, 86_400, "lisp.mappingSystem.registrationTtlSeconds");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < mappingSystem.Sites.Count; i++)
            {
                var site = mappingSystem.Sites[i];
                string field = $"lisp.mappingSystem.sites[{i}]";
                if (string.IsNullOrWhiteSpace(site.Name) || !names.Add(site.Name))
                {
                    throw new ConfigurationException($"{field}.name", string.IsNullOrWhiteSpace(site.Name) ? "a site needs a name" : $"site '{site.Name}' is listed twice");
                }

                CheckKey(site.KeyId, site.Key, field);
                Range(site.MaxRegistrations, 1, MappingSystemConfig.MaxRegistrationsLimit, $"{field}.maxRegistrations");
                for (int j = 0; j < site.EidPrefixes.Count; j++)
                {
                    ConfigValues.Prefix(site.EidPrefixes[j], $"{field}.eidPrefixes[{j}]");
                }
            }
        }

        NatTraversalConfigCheck.Validate(lisp, roles);
    }

    /// <summary>This node's addresses: its ports' and its RLOCs (malformed ones are refused where they are checked).</summary>
    private static HashSet<Wire.Addresses.IpAddress> OwnAddresses(DataplaneConfig config, LispConfig lisp)
    {
        var own = new HashSet<Wire.Addresses.IpAddress>();
        foreach (string text in config.Ports.SelectMany(p => p.Addresses).Concat(lisp.LocalRlocs.Select(r => r.Address)))
        {
            if (Wire.Addresses.IpAddress.TryParse(text, out var address))
            {
                own.Add(address);
            }
        }

        return own;
    }

    /// <summary>
    /// A map-resolver or map-server that is this node itself. Control messages are never sent to our own addresses
    /// (through the underlay they would come straight back, and a map-server would forward to itself without end),
    /// so the node would never get an answer; on a node that is also the map-server (role msmr) its map-resolver
    /// answers for its own EIDs as their ETR, so it needs no registration with itself.
    /// </summary>
    private static void NotOwn(Wire.Addresses.IpAddress address, HashSet<Wire.Addresses.IpAddress> own, string field, string what)
    {
        if (own.Contains(address))
        {
            throw new ConfigurationException(field, $"{address} is this node's own address: a node does not {what} itself "
                + "(name the other map-servers / map-resolvers; a node with role msmr answers for its own EIDs without registering them)");
        }
    }

    private static void CheckProbing(RlocProbingConfig probing)
    {
        if (probing.IntervalSeconds is { } seconds)
        {
            Range(seconds, 1, 86_400, "lisp.rlocProbing.intervalSeconds");
        }

        if (probing.IntervalMilliseconds is { } milliseconds)
        {
            if (probing.IntervalSeconds is not null)
            {
                throw new ConfigurationException("lisp.rlocProbing.intervalMilliseconds", "give the interval once: intervalSeconds or intervalMilliseconds, not both");
            }

            Range(milliseconds, MinimumProbeIntervalMilliseconds, 86_400_000, "lisp.rlocProbing.intervalMilliseconds");
        }

        Range(probing.TimeoutMilliseconds, 1, 60_000, "lisp.rlocProbing.timeoutMilliseconds");
        if (probing.TimeoutMilliseconds > probing.EffectiveIntervalMilliseconds)
        {
            // A lost probe is followed by the next one at once; a timeout longer than the interval would let probes of
            // one locator pile up and make the worst-case failover figure (interval + downAfter x timeout) meaningless.
            throw new ConfigurationException("lisp.rlocProbing.timeoutMilliseconds",
                $"{probing.TimeoutMilliseconds} ms is longer than the probe interval ({probing.EffectiveIntervalMilliseconds} ms): a probe must be judged before the next is due");
        }

        Range(probing.DownAfter, 1, 100, "lisp.rlocProbing.downAfter");
        if (probing.DegradedJitterMilliseconds is { } jitter)
        {
            Range(jitter, 1, 60_000, "lisp.rlocProbing.degradedJitterMilliseconds");
        }
    }

    private static void CheckKey(ushort keyId, string key, string field)
    {
        if (keyId is not (1 or 2))
        {
            throw new ConfigurationException($"{field}.keyId", $"{keyId} is not a key id we know: 1 (HMAC-SHA-1) or 2 (HMAC-SHA-256)");
        }

        if (string.IsNullOrEmpty(key))
        {
            throw new ConfigurationException($"{field}.key", "the shared key is empty");
        }
    }

    internal static void Range(long value, long min, long max, string field)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(field, $"{value} is outside {min}..{max}");
        }
    }
}
