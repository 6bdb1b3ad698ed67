using System.Collections.Frozen;
using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Tof;

/// <summary>
/// The registered services. Workers read <see cref="ByServiceIp"/> / <see cref="ByApplicationIp"/> once per batch,
/// lock-free; writers (the REST API, the control socket, the configuration) replace the whole snapshot under a lock.
/// Names, service IPs and application addresses are unique (a second registration of any is a conflict, HTTP 409):
/// the return path finds a reply's service by the address it comes from. An instance a replacement leaves out stays
/// "retired": its address still leads replies to its service, so the flows it carries keep working until they idle
/// out (<see cref="ForgetRetired"/>) or are drained; another service may claim the address meanwhile.
/// </summary>
public sealed class TofServiceTable
{
    private readonly Lock writeLock = new();
    private Snapshot current = new([], new Dictionary<string, IpAddress[]>());

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

    /// <summary>
    /// Removes the flows of one service on one instance (set by the feature that owns the flows; without one, an
    /// explicit drain only marks the instance). Control thread.
    /// </summary>
    public Func<TofService, IpAddress, int>? FlowRemover { get; set; }

    /// <summary>The retired instances of the service named <paramref name="name"/>: left out of its set, still carrying flows.</summary>
    public IReadOnlyList<IpAddress> Retired(string name) => Volatile.Read(ref current).Retired.GetValueOrDefault(name) ?? [];

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

            Publish([.. services, service], current.Retired);
            conflict = "";
            return true;
        }
    }

    /// <summary>Replaces the service named <paramref name="name"/>; false when there is none (404) or the new one conflicts (409).</summary>
    /// <remarks>Flows in progress stay on their instances, those the new service leaves out included (they retire).</remarks>
    public bool TryReplace(string name, TofService service, out bool notFound, out string conflict) =>
        TryReplace(name, service, moveFlows: false, out _, out notFound, out conflict);

    /// <summary>
    /// <see cref="TryReplace(string, TofService, out bool, out string)"/>; with <paramref name="moveFlows"/>, the flows
    /// of the instances the new service leaves out or marks drain are removed once it is published (their next packet
    /// is balanced over the new set), and the instances left out are not retired.
    /// </summary>
    public bool TryReplace(string name, TofService service, bool moveFlows, out int flowsMoved, out bool notFound, out string conflict)
    {
        ArgumentNullException.ThrowIfNull(service);
        flowsMoved = 0;
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
            var previous = updated[index];
            updated[index] = service;
            var retired = RetireLeftOut(current.Retired, previous, service);
            var moved = retired.GetValueOrDefault(service.Name) ?? [];
            if (moveFlows)
            {
                retired.Remove(service.Name);
            }

            Publish(updated, retired);
            if (moveFlows && FlowRemover is { } remover && previous.ServiceIp == service.ServiceIp)
            {
                foreach (var address in moved.Concat(service.Applications.Where(a => a.Drain).Select(a => a.Ip)))
                {
                    flowsMoved += remover(service, address);
                }
            }

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
            var retired = new Dictionary<string, IpAddress[]>(current.Retired);
            retired.Remove(kept.Name);
            Publish(services.Where(s => !ReferenceEquals(s, kept)).ToArray(), retired);
            return true;
        }
    }

    /// <summary>
    /// Drains the instance at <paramref name="application"/> of the service named <paramref name="name"/>: a current
    /// instance is marked draining (no new flows), a retired one forgotten; then the flows on it are removed so their
    /// next packet is balanced again. False when there is no such service or instance.
    /// </summary>
    public bool TryDrain(string name, IpAddress application, out TofService drained, out int flowsMoved, out string problem)
    {
        lock (writeLock)
        {
            flowsMoved = 0;
            var services = current.Services;
            int index = Array.FindIndex(services, s => s.Name == name);
            if (index < 0)
            {
                drained = null!;
                problem = $"no service named '{name}'";
                return false;
            }

            drained = services[index];
            int instance = drained.IndexOf(application);
            var retired = current.Retired.GetValueOrDefault(name) ?? [];
            if (instance < 0 && Array.IndexOf(retired, application) < 0)
            {
                problem = $"{application} is no instance of '{name}', current or retired";
                return false;
            }

            var updatedRetired = new Dictionary<string, IpAddress[]>(current.Retired);
            if (instance >= 0)
            {
                var applications = drained.Applications.ToArray();
                applications[instance] = applications[instance] with { Drain = true };
                var updated = services.ToArray();
                drained = new TofService(drained.Name, drained.ServiceIp, applications);
                updated[index] = drained;
                services = updated;
            }
            else
            {
                var left = retired.Where(a => a != application).ToArray();
                if (left.Length == 0)
                {
                    updatedRetired.Remove(name);
                }
                else
                {
                    updatedRetired[name] = left;
                }
            }

            // First no new flows to it, then its flows go: their next packets see the new snapshot.
            Publish(services, updatedRetired);
            flowsMoved = FlowRemover?.Invoke(drained, application) ?? 0;
            problem = "";
            return true;
        }
    }

    /// <summary>
    /// Forgets the retired instances no flow is on any more (<paramref name="inUse"/>: the application addresses of
    /// every flow, read after the idle purge). Control thread.
    /// </summary>
    public void ForgetRetired(IReadOnlySet<IpAddress> inUse)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        lock (writeLock)
        {
            if (current.Retired.Count == 0)
            {
                return;
            }

            var kept = new Dictionary<string, IpAddress[]>();
            bool changed = false;
            foreach (var (name, addresses) in current.Retired)
            {
                var left = addresses.Where(inUse.Contains).ToArray();
                changed |= left.Length != addresses.Length;
                if (left.Length > 0)
                {
                    kept[name] = left;
                }
            }

            if (changed)
            {
                Publish(current.Services, kept);
            }
        }
    }

    /// <summary>The retired instances after <paramref name="previous"/> is replaced by <paramref name="replacement"/> (which may rename it).</summary>
    private static Dictionary<string, IpAddress[]> RetireLeftOut(Dictionary<string, IpAddress[]> retired, TofService previous, TofService replacement)
    {
        var updated = new Dictionary<string, IpAddress[]>(retired);
        var before = retired.GetValueOrDefault(previous.Name) ?? [];
        updated.Remove(previous.Name);
        if (previous.ServiceIp != replacement.ServiceIp)
        {
            return updated; // the flows were keyed by the old service address: no reply of theirs can find them now
        }

        var left = before.Concat(previous.Applications.Select(a => a.Ip)).Where(a => replacement.IndexOf(a) < 0).Distinct().ToArray();
        if (left.Length > 0)
        {
            updated[replacement.Name] = left;
        }

        return updated;
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

            foreach (var application in candidate.Applications)
            {
                if (existing.IndexOf(application.Ip) >= 0)
                {
                    return $"application {application.Ip} is an instance of '{existing.Name}'";
                }
            }
        }

        return null;
    }

    private void Publish(TofService[] services, Dictionary<string, IpAddress[]> retired)
    {
        // A retired address another service has since claimed is that service's now.
        var claimed = services.SelectMany(s => s.Applications).Select(a => a.Ip).ToHashSet();
        var kept = new Dictionary<string, IpAddress[]>();
        foreach (var (name, addresses) in retired)
        {
            var left = addresses.Where(a => !claimed.Contains(a)).ToArray();
            if (left.Length > 0 && services.Any(s => s.Name == name))
            {
                kept[name] = left;
            }
        }

        Volatile.Write(ref current, new Snapshot(services.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray(), kept));
    }

    private sealed class Snapshot
    {
        public Snapshot(TofService[] services, Dictionary<string, IpAddress[]> retired)
        {
            Services = services;
            Retired = retired;
            ByServiceIp = services.Where(s => s.ServiceIp.IsV4).ToFrozenDictionary(s => s.ServiceIpv4);
            ByServiceIpv6 = services.Where(s => s.ServiceIp.IsV6).ToFrozenDictionary(s => s.ServiceIp.AsV6());

            // Every instance, current or retired, leads to its service (an address has one owner; a current one wins).
            var owners = new Dictionary<IpAddress, TofService>();
            foreach (var service in services)
            {
                foreach (var address in Retired.GetValueOrDefault(service.Name) ?? [])
                {
                    owners[address] = service;
                }
            }

            foreach (var service in services)
            {
                foreach (var application in service.Applications)
                {
                    owners[application.Ip] = service;
                }
            }

            ByApplicationIp = owners.Where(o => o.Key.IsV4).ToFrozenDictionary(o => o.Key.AsV4(), o => o.Value);
            ByApplicationIpv6 = owners.Where(o => o.Key.IsV6).ToFrozenDictionary(o => o.Key.AsV6(), o => o.Value);
        }

        public TofService[] Services { get; }

        /// <summary>Retired instances by service name.</summary>
        public Dictionary<string, IpAddress[]> Retired { get; }

        public FrozenDictionary<Ipv4Address, TofService> ByServiceIp { get; }

        public FrozenDictionary<Ipv4Address, TofService> ByApplicationIp { get; }

        public FrozenDictionary<Ipv6Address, TofService> ByServiceIpv6 { get; }

        public FrozenDictionary<Ipv6Address, TofService> ByApplicationIpv6 { get; }
    }
}
