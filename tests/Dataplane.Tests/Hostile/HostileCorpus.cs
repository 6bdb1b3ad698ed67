using System.Text.Json;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Hostile;

/// <summary>
/// pcaps/hostile: the Scapy-made hostile corpus (generate_hostile.py) and its manifest, which names for each family the
/// golden configuration it is addressed to, how many packets it holds, and the drop reasons that are certain.
/// </summary>
public static class HostileCorpus
{
    public static string Root => Path.Combine(RepositoryPaths.Root, "pcaps", "hostile");

    public static IReadOnlyDictionary<string, HostileFamily> Families { get; } = Load();

    public static string PcapPath(string family) => Path.Combine(Root, family + ".pcap");

    private static Dictionary<string, HostileFamily> Load() =>
        JsonSerializer.Deserialize<Dictionary<string, HostileFamily>>(
            File.ReadAllText(Path.Combine(Root, "manifest.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
}

/// <summary>One manifest entry: the golden case whose config.json the family runs against, its packet count,
/// the drop counts that follow from the RFCs for every packet of the family, and, when certain, how many are
/// transmitted (transit the configuration only forwards).</summary>
public sealed record HostileFamily(string Config, long Packets, Dictionary<string, long> Drops, long? Transmitted = null);
