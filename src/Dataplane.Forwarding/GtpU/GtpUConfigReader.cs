using Dataplane.Forwarding.Configuration;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.GtpU;

/// <summary>Turns the "gtpu" section into tunnels, naming the JSON path of any field it cannot accept.</summary>
internal static class GtpUConfigReader
{
    public static List<GtpUTunnel> ReadTunnels(GtpUConfig section, IReadOnlySet<IpAddress> localAddresses)
    {
        var tunnels = new List<GtpUTunnel>();
        var byKey = new Dictionary<GtpUTunnelKey, int>();
        var byUe = new Dictionary<EidPrefix, int>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < section.Tunnels.Count; i++)
        {
            var tunnel = section.Tunnels[i];
            string field = $"gtpu.tunnels[{i}]";
            if (names.TryGetValue(tunnel.Name, out int sameName))
            {
                throw new ConfigurationException($"{field}.name", $"'{tunnel.Name}' is already the name of gtpu.tunnels[{sameName}]");
            }

            var entry = ReadTunnel(tunnel, field, localAddresses);
            var (local, peer, ue) = (entry.Local, entry.Peer, entry.UePrefix);
            if (byKey.TryGetValue(entry.Key, out int sameKey))
            {
                throw new ConfigurationException($"{field}.teidIn",
                    $"gtpu.tunnels[{sameKey}] already has peerAddress {peer}, localAddress {local} and teidIn {tunnel.TeidIn}");
            }

            if (byUe.TryGetValue(ue, out int sameUe))
            {
                throw new ConfigurationException($"{field}.ueAddress", $"gtpu.tunnels[{sameUe}] already serves {ue}");
            }

            names[entry.Name] = i;
            byKey[entry.Key] = i;
            byUe[ue] = i;
            tunnels.Add(entry);
        }

        return tunnels;
    }

    /// <summary>One tunnel entry checked field by field; <paramref name="field"/> prefixes the JSON path in errors (checks across tunnels are the caller's).</summary>
    public static GtpUTunnel ReadTunnel(GtpUTunnelConfig tunnel, string field, IReadOnlySet<IpAddress> localAddresses)
    {
        if (string.IsNullOrWhiteSpace(tunnel.Name))
        {
            throw new ConfigurationException($"{field}.name", "a tunnel needs a name");
        }

        var local = ConfigValues.Ip(tunnel.LocalAddress, $"{field}.localAddress");
        if (!localAddresses.Contains(local))
        {
            throw new ConfigurationException($"{field}.localAddress", $"{local} is not one of the port addresses");
        }

        var peer = ConfigValues.Ip(tunnel.PeerAddress, $"{field}.peerAddress");
        if (peer.Family != local.Family)
        {
            throw new ConfigurationException($"{field}.peerAddress", $"{peer} is not of the family of localAddress {local}");
        }

        if (localAddresses.Contains(peer))
        {
            throw new ConfigurationException($"{field}.peerAddress", $"{peer} is one of our own port addresses");
        }

        // TS 29.281 section 5.1: TEID 0 is reserved for messages not tied to a tunnel (Echo, Error Indication ...).
        if (tunnel.TeidIn == 0)
        {
            throw new ConfigurationException($"{field}.teidIn", "TEID 0 is reserved (TS 29.281 section 5.1)");
        }

        if (tunnel.TeidOut == 0)
        {
            throw new ConfigurationException($"{field}.teidOut", "TEID 0 is reserved (TS 29.281 section 5.1)");
        }

        if (tunnel.InstanceId > EidPrefix.MaxInstanceId)
        {
            throw new ConfigurationException($"{field}.instanceId", $"{tunnel.InstanceId} does not fit 24 bits");
        }

        var ue = UePrefix(tunnel.UeAddress, tunnel.InstanceId, $"{field}.ueAddress");
        if (tunnel.Qfi is > GtpUTunnel.MaxQfi)
        {
            throw new ConfigurationException($"{field}.qfi", $"{tunnel.Qfi} does not fit 6 bits (0..63)");
        }

        return new GtpUTunnel(tunnel.Name, local, peer, tunnel.TeidIn, tunnel.TeidOut, ue, tunnel.Qfi);
    }

    /// <summary>"10.45.0.2" (a host) or "10.45.0.0/24"; the instance comes from the tunnel's instanceId field.</summary>
    private static EidPrefix UePrefix(string? text, uint instanceId, string field)
    {
        if (text is null || text.StartsWith('['))
        {
            throw new ConfigurationException(field, $"'{text}' is not an address or prefix (the instance goes in instanceId)");
        }

        if (text.Contains('/'))
        {
            var prefix = ConfigValues.Prefix(text, field);
            return EidPrefix.Create(instanceId, prefix.Address, prefix.PrefixLength);
        }

        return EidPrefix.Host(instanceId, ConfigValues.Ip(text, field));
    }
}
