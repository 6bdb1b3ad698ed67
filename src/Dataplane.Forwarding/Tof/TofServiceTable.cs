using System.Collections.Frozen;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The registered services. Workers read <see cref="ByServiceIp"/> / <see cref="ByApplicationIp"/> once per batch,
/// lock-free; writers (the REST API, the control socket, the configuration) replace the whole snapshot under a lock.
/// Names and service IPs are unique (a second registration of either is a conflict, HTTP 409).
/// </summary>
public sealed class TofServiceTable
{
    private readonly Lock writeLock = new();
    private Snapshot current = new([]);

    public TofServiceTable(IEnumerable<TofService>? services = null)
    {
        foreach (var service in services ?? [])
        {
            if (!TryAdd(service, out string conflict))
            {
                throw new ArgumentException(conflict, nameof(services));
            }
        }
    }

    /// <summary>IPv4 services by service IP: what the uplink offload looks up per packet.</summary>
    public FrozenDictionary<Ipv4Address, TofService> ByServiceIp => Volatile.Read(ref current).ByServiceIp;

    /// <summary>IPv4 services by application IP: what the return path (application replies) looks up per packet.</summary>
    public FrozenDictionary<Ipv4Address, TofService> ByApplicationIp => Volatile.Read(ref current).ByApplicationIp;

    /// <summary>IPv6 services by service IP.</summary>
    public FrozenDictionary<Ipv6Address, TofService> ByServiceIpv6 => Volatile.Read(ref current).ByServiceIpv6;

    /// <summary>IPv6 services by application IP.</summary>
    public FrozenDictionary<Ipv6Address, TofService> ByApplicationIpv6 => Volatile.Read(ref current).ByApplicationIpv6;

    /// <summary>All services, by name.</summary>
    public IReadOnlyList<TofService> All => Volatile.Read(ref current).Services;

    public bool TryGet(string name, out TofService service)
    {
        service = Volatile.Read(ref current).Services.FirstOrDefault(s => s.Name == name)!;
        return service is not null;
    }

    /// <summary>Adds a service; false with the conflict ("name 'x' is taken", "serviceIP 10.0.0.1 is taken by 'y'").</summary>
    public bool TryAdd(TofService service, out string conflict)
    {
        lock (writeLock)
        {
            var services = current.Services;
            if (Conflict(services, service, replacing: null) is { } problem)
            {
                conflict = problem;
                return false;
            }

            Publish([.. services, service]);
            conflict = "";
            return true;
        }
    }

    /// <summary>Replaces the service named <paramref name="name"/>; false when there is none (404) or the new one conflicts (409).</summary>
    public bool TryReplace(string name, TofService service, out bool notFound, out string conflict)
    {
        lock (writeLock)
        {
            var services = current.Services;
            int index = services.ToList().FindIndex(s => s.Name == name);
            notFound = index < 0;
            if (notFound)
            {
                conflict = $"no service named '{name}'";
                return false;
            }

            if (Conflict(services, service, replacing: name) is { } problem)
            {
                conflict = problem;
                return false;
            }

            var updated = services.ToArray();
            updated[index] = service;
            Publish(updated);
            conflict = "";
            return true;
        }
    }

    /// <summary>Removes the service whose name, or whose service IP, is <paramref name="nameOrServiceIp"/>.</summary>
    public bool TryRemove(string nameOrServiceIp, out TofService removed)
    {
        lock (writeLock)
        {
            var services = current.Services;
            bool isAddress = IpAddress.TryParse(nameOrServiceIp, out var address); // an IPv6 address in any of its spellings
            removed = services.FirstOrDefault(s => s.Name == nameOrServiceIp || (isAddress && s.ServiceIp == address))!;
            if (removed is null)
            {
                return false;
            }

            var kept = removed;
            Publish(services.Where(s => !ReferenceEquals(s, kept)).ToArray());
            return true;
        }
    }

    private static string? Conflict(IReadOnlyList<TofService> services, TofService candidate, string? replacing)
    {
        foreach (var existing in services)
        {
            if (existing.Name == replacing)
            {
                continue;
            }

            if (existing.Name == candidate.Name)
            {
                return $"name '{candidate.Name}' is taken";
            }

            if (existing.ServiceIp == candidate.ServiceIp)
            {
                return $"serviceIP {candidate.ServiceIp} is taken by '{existing.Name}'";
            }
        }

        return null;
    }

    private void Publish(TofService[] services) =>
        Volatile.Write(ref current, new Snapshot(services.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray()));

    private sealed class Snapshot(TofService[] services)
    {
        public TofService[] Services { get; } = services;

        public FrozenDictionary<Ipv4Address, TofService> ByServiceIp { get; } =
            services.Where(s => s.ServiceIp.IsV4).ToFrozenDictionary(s => s.ServiceIpv4);

        // Several services may share one application (different service IPs, same app): the first by name answers.
        public FrozenDictionary<Ipv4Address, TofService> ByApplicationIp { get; } =
            services.Where(s => s.ServiceIp.IsV4).GroupBy(s => s.ApplicationIpv4).ToFrozenDictionary(g => g.Key, g => g.First());

        public FrozenDictionary<Ipv6Address, TofService> ByServiceIpv6 { get; } =
            services.Where(s => s.ServiceIp.IsV6).ToFrozenDictionary(s => s.ServiceIp.AsV6());

        public FrozenDictionary<Ipv6Address, TofService> ByApplicationIpv6 { get; } =
            services.Where(s => s.ServiceIp.IsV6).GroupBy(s => s.ApplicationIp.AsV6()).ToFrozenDictionary(g => g.Key, g => g.First());
    }
}
