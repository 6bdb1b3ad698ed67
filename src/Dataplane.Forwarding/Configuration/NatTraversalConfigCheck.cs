namespace Dataplane.Forwarding.Configuration;

/// <summary>Checks "lisp.natTraversal": every address, bound and rate, and that the roles can use what is set.</summary>
internal static class NatTraversalConfigCheck
{
    public static void Validate(LispConfig lisp, DataplaneRoles roles)
    {
        if (lisp.NatTraversal is not { } nat)
        {
            return;
        }

        const string field = "lisp.natTraversal";
        bool msmr = roles.HasAny(DataplaneRoles.Msmr);
        bool rtr = roles.HasAny(DataplaneRoles.Rtr);
        if (!msmr && !rtr)
        {
            throw new ConfigurationException(field, "NAT traversal is a map-server's (role msmr) or an RTR's (role rtr)");
        }

        for (int i = 0; i < nat.Rtrs.Count; i++)
        {
            if (!ConfigValues.Ip(nat.Rtrs[i], $"{field}.rtrs[{i}]").IsV4)
            {
                throw new ConfigurationException($"{field}.rtrs[{i}]", $"{nat.Rtrs[i]} is not IPv4: NAT traversal is for IPv4 RLOCs");
            }
        }

        if (msmr && nat.Rtrs.Count == 0)
        {
            throw new ConfigurationException($"{field}.rtrs", "a map-server answering Info-Requests needs at least one RTR to announce");
        }

        if (nat.Rtrs.Count > Wire.LispControl.NatTraversalAddresses.MaxRtrs)
        {
            throw new ConfigurationException($"{field}.rtrs", $"{nat.Rtrs.Count} RTRs, an Info-Reply carries at most {Wire.LispControl.NatTraversalAddresses.MaxRtrs}");
        }

        for (int i = 0; i < nat.MapServers.Count; i++)
        {
            ConfigValues.Ip(nat.MapServers[i], $"{field}.mapServers[{i}]");
        }

        if (rtr && nat.MapServers.Count == 0)
        {
            throw new ConfigurationException($"{field}.mapServers", "an RTR relaying NATed xTRs' registrations needs the map-servers it may relay to");
        }

        LispControlConfigCheck.Range(nat.InfoReplyTtlMinutes, 1, 525_600, $"{field}.infoReplyTtlMinutes");
        LispControlConfigCheck.Range(nat.InfoRequestsPerSecond, 1, 1_000_000, $"{field}.infoRequestsPerSecond");
        if (!(nat.InfoRequestsPerSourcePerSecond > 0 && nat.InfoRequestsPerSourcePerSecond <= 1000))
        {
            throw new ConfigurationException($"{field}.infoRequestsPerSourcePerSecond", $"{nat.InfoRequestsPerSourcePerSecond} is outside (0, 1000]");
        }

        LispControlConfigCheck.Range(nat.InfoRequestSourceLimit, 1, 10_000_000, $"{field}.infoRequestSourceLimit");
        LispControlConfigCheck.Range(nat.NatedXtrLimit, 1, 10_000_000, $"{field}.natedXtrLimit");
        LispControlConfigCheck.Range(nat.NatedXtrSeconds, 10, 86_400, $"{field}.natedXtrSeconds");
    }
}
