using System.Text.RegularExpressions;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Forwarding.Egress;

/// <summary>
/// Checks every port's <c>egress</c> section, naming the field as a JSON path (<c>ports[1].egress.classes[0].dscp[2]</c>).
/// The limits are documented in docs/configuration/egress.md; change one there too.
/// </summary>
public static partial class EgressConfigCheck
{
    public const long MinRateBitsPerSecond = 64_000;
    public const long MaxRateBitsPerSecond = 400_000_000_000;
    public const long MinBurstBytes = 1518;
    public const long MaxBurstBytes = 64L * 1024 * 1024;
    public const int MaxFrameOverheadBytes = 64;
    public const int MaxClasses = 7;
    public const int MaxWeight = 100;
    public const int MaxQueuePackets = 65536;
    public const int MaxQueuePacketsPerPort = 131072;

    /// <summary>The class label of best effort on /metrics; no configured class may take it.</summary>
    public const string BestEffortName = "best-effort";

    public static void Validate(DataplaneConfig config)
    {
        long queuedPerWorker = 0;
        for (int p = 0; p < config.Ports.Count; p++)
        {
            if (config.Ports[p]?.Egress is { } egress)
            {
                queuedPerWorker += Validate(egress, $"ports[{p}].egress");
            }
        }

        // Queued packets keep their buffers: with DPDK they are mbufs of the one pool every port receives into, so
        // the queues of every worker together may hold at most half of it, and receiving never runs dry.
        bool dpdk = config.Ports.Any(port => port?.Driver == "dpdk");
        int mbufs = config.Dpdk?.MbufCount ?? new DpdkConfig().MbufCount;
        if (dpdk && queuedPerWorker * config.Workers > mbufs / 2)
        {
            throw new ConfigurationException("dpdk.mbufCount",
                $"the egress queues may hold {queuedPerWorker} packets per worker x {config.Workers} worker(s) = {queuedPerWorker * config.Workers} mbufs, more than half of the pool's {mbufs}: raise mbufCount or lower queuePackets");
        }
    }

    /// <summary>Checks one section; returns the packets its queues may hold (per worker).</summary>
    public static long Validate(EgressConfig egress, string field)
    {
        Check(egress.RateBitsPerSecond, MinRateBitsPerSecond, MaxRateBitsPerSecond, $"{field}.rateBitsPerSecond");
        if (egress.BurstBytes is { } burst)
        {
            Check(burst, MinBurstBytes, MaxBurstBytes, $"{field}.burstBytes");
        }

        Check(egress.FrameOverheadBytes, 0, MaxFrameOverheadBytes, $"{field}.frameOverheadBytes");
        var classes = egress.Classes ?? throw new ConfigurationException($"{field}.classes", "must be an array, not null");
        if (classes.Count > MaxClasses)
        {
            throw new ConfigurationException($"{field}.classes", $"{classes.Count} classes: at most {MaxClasses} (and best effort)");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var dscpOwner = new string?[64];
        long guaranteed = 0;
        long queued = 0;
        for (int c = 0; c < classes.Count; c++)
        {
            string at = $"{field}.classes[{c}]";
            var cls = classes[c] ?? throw new ConfigurationException(at, "must be an object, not null");
            if (cls.Name is null || !ClassName().IsMatch(cls.Name))
            {
                throw new ConfigurationException($"{at}.name", $"'{cls.Name}' is not a class name ([A-Za-z0-9._-], 1 to 32 characters)");
            }

            if (cls.Name == BestEffortName)
            {
                throw new ConfigurationException($"{at}.name", $"'{BestEffortName}' is the name of the best-effort class; choose another");
            }

            if (!names.Add(cls.Name))
            {
                throw new ConfigurationException($"{at}.name", $"'{cls.Name}' names an earlier class of this port too");
            }

            var dscps = cls.Dscp ?? throw new ConfigurationException($"{at}.dscp", "must be an array, not null");
            if (dscps.Count == 0)
            {
                throw new ConfigurationException($"{at}.dscp", "is empty: a class takes the packets of at least one DSCP value");
            }

            for (int d = 0; d < dscps.Count; d++)
            {
                int dscp = dscps[d];
                Check(dscp, 0, 63, $"{at}.dscp[{d}]");
                if (dscpOwner[dscp] is { } owner)
                {
                    throw new ConfigurationException($"{at}.dscp[{d}]", owner == cls.Name
                        ? $"DSCP {dscp} is listed twice"
                        : $"DSCP {dscp} is already in class '{owner}': a DSCP value selects one class");
                }

                dscpOwner[dscp] = cls.Name;
            }

            Check(cls.GuaranteedBitsPerSecond, 0, egress.RateBitsPerSecond, $"{at}.guaranteedBitsPerSecond");
            guaranteed += cls.GuaranteedBitsPerSecond;
            if (guaranteed > egress.RateBitsPerSecond)
            {
                throw new ConfigurationException($"{at}.guaranteedBitsPerSecond",
                    $"the guarantees add up to {guaranteed} bit/s, more than the port's rateBitsPerSecond {egress.RateBitsPerSecond}");
            }

            Check(cls.Weight, 1, MaxWeight, $"{at}.weight");
            Check(cls.QueuePackets, 1, MaxQueuePackets, $"{at}.queuePackets");
            queued += cls.QueuePackets;
        }

        var bestEffort = egress.BestEffort ?? throw new ConfigurationException($"{field}.bestEffort", "must be an object, not null");
        Check(bestEffort.Weight, 1, MaxWeight, $"{field}.bestEffort.weight");
        Check(bestEffort.QueuePackets, 1, MaxQueuePackets, $"{field}.bestEffort.queuePackets");
        queued += bestEffort.QueuePackets;
        if (queued > MaxQueuePacketsPerPort)
        {
            throw new ConfigurationException($"{field}.bestEffort.queuePackets",
                $"the port's queues add up to {queued} packets: at most {MaxQueuePacketsPerPort}");
        }

        return queued;
    }

    private static void Check(long value, long min, long max, string field)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(field, $"{value} is outside {min}..{max}");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,32}$")]
    private static partial Regex ClassName();
}
