using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Stages;
using Dataplane.Tables.Gtp;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.GtpU;

/// <summary>
/// The GTP-U tunnel endpoint (3GPP TS 29.281): owns the tunnel table all workers share (the control plane, and later
/// the TOF, add and remove tunnels in it while workers run) and gives each worker a <see cref="GtpUEndpointStage"/>.
/// </summary>
public sealed class GtpUFeature : IForwardingFeature
{
    public GtpUFeature(GtpUTunnelTable tunnels) => Tunnels = tunnels;

    public int Order => StageOrder.GtpU;

    /// <summary>The tunnels; writers may add and remove while workers forward.</summary>
    public GtpUTunnelTable Tunnels { get; }

    /// <summary>Builds the feature from the "gtpu" section, which the gtpu role requires; every field is checked.</summary>
    public static GtpUFeature Create(DataplaneConfig config, ForwardingPlane plane)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(plane);
        var section = config.Gtpu ?? throw new ConfigurationException("gtpu", "the gtpu role needs a \"gtpu\" section");
        if (section.ErrorIndicationsPerSecond is < 0 or > 1_000_000)
        {
            throw new ConfigurationException("gtpu.errorIndicationsPerSecond", $"{section.ErrorIndicationsPerSecond} is outside 0..1000000");
        }

        if (section.EchoIntervalSeconds is < 0 or > 86_400)
        {
            throw new ConfigurationException("gtpu.echoIntervalSeconds", $"{section.EchoIntervalSeconds} is outside 0..86400");
        }

        if (section.EchoMissedLimit is < 1 or > 100)
        {
            throw new ConfigurationException("gtpu.echoMissedLimit", $"{section.EchoMissedLimit} is outside 1..100");
        }

        var table = new GtpUTunnelTable();
        table.AddOrReplaceRange(GtpUConfigReader.ReadTunnels(section, plane.LocalAddresses));
        return new GtpUFeature(table);
    }

    /// <summary>One tunnel as the "gtpu" section would hold it (the control socket's tunnel.add), checked the same way; <paramref name="field"/> prefixes error paths.</summary>
    public static GtpUTunnel ReadTunnel(GtpUTunnelConfig tunnel, string field, IReadOnlySet<IpAddress> localAddresses) =>
        GtpUConfigReader.ReadTunnel(tunnel, field, localAddresses);

    public IBatchStage CreateStage(ForwardingPlane plane) => new GtpUEndpointStage(plane, Tunnels);

    /// <summary>Nothing to reclaim: retired snapshots are garbage collected once no worker holds them.</summary>
    public void ReclaimRetired()
    {
    }
}
