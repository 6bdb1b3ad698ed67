using System.Text.Json;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Golden;

/// <summary>One directory of the golden suite (pcaps/golden/CASE): configuration, input, and what must come out.</summary>
public sealed record GoldenCase(string Name)
{
    public static string Root => Path.Combine(RepositoryPaths.Root, "pcaps", "golden");

    public string Directory => Path.Combine(Root, Name);

    public string ConfigPath => Path.Combine(Directory, "config.json");

    public string InputPath => Path.Combine(Directory, "input.pcap");

    public string ExpectedPath => Path.Combine(Directory, "expected.pcap");

    /// <summary>Expected punts; a case without the file expects none.</summary>
    public string ExpectedPuntPath => Path.Combine(Directory, "expected-punt.pcap");

    public string ExpectedCountersPath => Path.Combine(Directory, "expected-counters.json");

    /// <summary>Every case directory (one holding a config.json), sorted.</summary>
    public static IEnumerable<string> Names() =>
        System.IO.Directory.Exists(Root)
            ? System.IO.Directory.GetDirectories(Root)
                .Where(d => File.Exists(Path.Combine(d, "config.json")))
                .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    public ExpectedCounters? ReadExpectedCounters() =>
        File.Exists(ExpectedCountersPath)
            ? JsonSerializer.Deserialize<ExpectedCounters>(File.ReadAllText(ExpectedCountersPath), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            : null;
}

/// <summary>
/// What the generator's author worked out the counters must be (drop reasons and events by name); emitted (flood copies)
/// is left out of the file when there are none.
/// </summary>
public sealed record ExpectedCounters(long Received, long Transmitted, long Punted, Dictionary<string, long> Drops, Dictionary<string, long> Events, long Emitted = 0);
