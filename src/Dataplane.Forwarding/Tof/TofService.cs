using Dataplane.Forwarding.Tof.Clusters;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// A registered edge service (the seed's REST body): uplink traffic from UEs to <see cref="ServiceIp"/> is offloaded
/// to the edge application (destination NAT), and its replies go back to the UE as if they came from the service. The
/// application is one address (<see cref="ApplicationIp"/>) or a cluster of instances (<see cref="Applications"/>,
/// each new flow balanced by weight, see <see cref="TofClusterBalancer"/>). All addresses are of one family: an IPv4
/// service serves IPv4 UEs, an IPv6 service IPv6 UEs (a dual-stack UE reaches both kinds).
/// </summary>
public sealed record TofService(string Name, IpAddress ServiceIp, IpAddress ApplicationIp)
{
    /// <summary>A service whose application is a cluster: <see cref="ApplicationIp"/> is its first instance.</summary>
    public TofService(string name, IpAddress serviceIp, IReadOnlyList<TofApplication> applications)
        : this(name, serviceIp, First(applications).Ip)
    {
        Applications = [.. applications];
        Balancer = TofClusterBalancer.Build(Applications);
        IsCluster = true;
    }

    /// <summary>The service address of an IPv4 service, as the per-packet code compares and writes it (0 for IPv6).</summary>
    public Ipv4Address ServiceIpv4 { get; } = ServiceIp.IsV4 ? ServiceIp.AsV4() : default;

    /// <summary>The application address of an IPv4 service (0 for IPv6); of a cluster, its first instance's.</summary>
    public Ipv4Address ApplicationIpv4 { get; } = ApplicationIp.IsV4 ? ApplicationIp.AsV4() : default;

    /// <summary>The instances new flows are balanced over: one of weight 1 when the service was given an applicationIP.</summary>
    public IReadOnlyList<TofApplication> Applications { get; private init; } = [new TofApplication(ApplicationIp)];

    /// <summary>The balancing table of <see cref="Applications"/>, built once per service change.</summary>
    public TofClusterBalancer Balancer { get; private init; } = TofClusterBalancer.Build([new TofApplication(ApplicationIp)]);

    /// <summary>Given as "applications" (and answered so), rather than as the seed's single applicationIP.</summary>
    public bool IsCluster { get; private init; }

    public bool Equals(TofService? other) =>
        other is not null && Name == other.Name && ServiceIp == other.ServiceIp && ApplicationIp == other.ApplicationIp && IsCluster == other.IsCluster
        && Applications.SequenceEqual(other.Applications);

    public override int GetHashCode() => HashCode.Combine(Name, ServiceIp, ApplicationIp, Applications.Count);

    /// <summary>
    /// This service as seen at another address (a traffic rule offloading other destinations to it): the same
    /// instances and balancing table, replies NATed back to <paramref name="serviceIp"/>.
    /// </summary>
    public TofService At(IpAddress serviceIp) =>
        new(Name, serviceIp, ApplicationIp) { Applications = Applications, Balancer = Balancer, IsCluster = IsCluster };

    /// <summary>The instance whose address is <paramref name="address"/>, or -1.</summary>
    public int IndexOf(IpAddress address)
    {
        for (int i = 0; i < Applications.Count; i++)
        {
            if (Applications[i].Ip == address)
            {
                return i;
            }
        }

        return -1;
    }

    private static TofApplication First(IReadOnlyList<TofApplication> applications)
    {
        ArgumentNullException.ThrowIfNull(applications);
        return applications.Count > 0 ? applications[0] : throw new ArgumentException("a cluster has at least one instance", nameof(applications));
    }
}
