using System.Globalization;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Throughput.Scenarios;

/// <summary>
/// tof-offload with each of the two services an application cluster of 8 instances (203.0.113.10..17 and
/// .20..27): the same frames, so the difference to tof-offload is what a cluster costs per packet (the flow's
/// instance is read from its NAT entry; 16 application adjacencies instead of 2).
/// </summary>
public sealed class TofOffloadClusterScenario : IScenario
{
    private const int Instances = 8;

    private readonly TofOffloadScenario frames = new();

    public string Name => "tof-offload-cluster";

    public string Description => "TOF: tof-offload with each service a cluster of 8 application instances (flows balanced by weight)";

    public int MinimumFrameLength => frames.MinimumFrameLength;

    public ushort IngressPort => frames.IngressPort;

    public ushort EgressPort => frames.EgressPort;

    public ForwardingEvent Event => frames.Event;

    public int LengthChange => frames.LengthChange;

    public DataplaneConfig Configuration(ScenarioSettings settings) => DataplaneConfigFile.Parse($$"""
        {
          "roles": ["tof"],
          "ports": [
            { "name": "enb", "mac": "02:00:00:00:e0:01" },
            { "name": "sgw", "mac": "02:00:00:00:e0:02" },
            { "name": "apps", "mac": "02:00:00:00:e0:04" }
          ],
          "neighbours": [
            { "address": "192.0.2.10", "mac": "02:00:00:00:0e:01", "port": "enb" },
            { "address": "192.0.2.11", "mac": "02:00:00:00:0e:02", "port": "enb" },
            {{Neighbours(10)}},
            {{Neighbours(20)}},
            { "address": "198.51.100.20", "mac": "02:00:00:00:05:01", "port": "sgw" }
          ],
          "routes": [
            { "prefix": "192.0.2.0/24", "port": "enb" },
            { "prefix": "198.51.100.0/24", "port": "sgw" },
            { "prefix": "203.0.113.0/24", "port": "apps" }
          ],
          "tof": {
            "enbPort": "enb",
            "sgwPort": "sgw",
            "appsPort": "apps",
            "services": [
              { "name": "video-cache", "serviceIP": "10.200.0.1", "applications": [ {{Cluster(10)}} ] },
              { "name": "game", "serviceIP": "10.200.0.2", "applications": [ {{Cluster(20)}} ] }
            ]
          }
        }
        """);

    public void Populate(ForwardingPlane plane, ScenarioSettings settings)
    {
    }

    public void WriteFrame(Span<byte> frame, int index, ScenarioSettings settings) => frames.WriteFrame(frame, index, settings);

    private static string Neighbours(int first) => string.Join(",\n", Enumerable.Range(first, Instances).Select(last => string.Create(CultureInfo.InvariantCulture,
        $$"""{ "address": "203.0.113.{{last}}", "mac": "02:00:00:00:a0:{{last:x2}}", "port": "apps" }""")));

    // Weights 1..4, so the table is a weighted one.
    private static string Cluster(int first) => string.Join(", ", Enumerable.Range(first, Instances).Select(last => string.Create(CultureInfo.InvariantCulture,
        $$"""{ "ip": "203.0.113.{{last}}", "weight": {{last % 4 + 1}} }""")));
}
