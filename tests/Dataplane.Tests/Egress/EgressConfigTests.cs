using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Egress;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Egress;

/// <summary>
/// The <c>egress</c> section of a port as the configuration file spells it: a valid one loads with its defaults, and
/// each bad value is refused with one error naming its field as a JSON path.
/// </summary>
public sealed class EgressConfigTests
{
    private const string Valid = """
        {
          "roles": [],
          "workers": 1,
          "ports": [
            { "name": "n3", "mac": "02:00:00:00:00:01" },
            { "name": "mec", "mac": "02:00:00:00:00:02",
              "egress": {
                "rateBitsPerSecond": 1000000000,
                "classes": [
                  { "name": "mec", "dscp": [46, 34], "guaranteedBitsPerSecond": 300000000, "weight": 3, "queuePackets": 1024 },
                  { "name": "video", "dscp": [26], "guaranteedBitsPerSecond": 200000000 }
                ],
                "bestEffort": { "weight": 1, "queuePackets": 4096 }
              } }
          ]
        }
        """;

    private static DataplaneConfig Load(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Valid)!.AsObject();
        change(json);
        var config = DataplaneConfigFile.Parse(json.ToJsonString());
        ForwardingPlaneBuilder.Build(config);
        return config;
    }

    private static JsonObject Egress(JsonObject root) => root["ports"]![1]!["egress"]!.AsObject();

    private static JsonObject Class(JsonObject root, int index) => Egress(root)["classes"]![index]!.AsObject();

    [Fact]
    public void A_valid_section_loads_with_its_defaults()
    {
        var config = Load(_ => { });
        var egress = config.Ports[1].Egress!;
        Assert.Null(config.Ports[0].Egress);
        Assert.Equal(1_000_000_000, egress.RateBitsPerSecond);
        Assert.Equal(["mec", "video"], egress.Classes.Select(c => c.Name));
        Assert.Equal([46, 34], egress.Classes[0].Dscp);
        Assert.Equal(1, egress.Classes[1].Weight);
        Assert.Equal(1024, egress.Classes[1].QueuePackets);
        Assert.Equal(4096, egress.BestEffort.QueuePackets);
        Assert.Equal(0, egress.FrameOverheadBytes);
        Assert.Null(egress.BurstBytes);
    }

    public static TheoryData<string, string, string> BadSections => new()
    {
        { "rate-low", "ports[1].egress.rateBitsPerSecond", "outside" },
        { "rate-high", "ports[1].egress.rateBitsPerSecond", "outside" },
        { "burst", "ports[1].egress.burstBytes", "outside" },
        { "overhead", "ports[1].egress.frameOverheadBytes", "outside" },
        { "name-empty", "ports[1].egress.classes[0].name", "not a class name" },
        { "name-space", "ports[1].egress.classes[0].name", "not a class name" },
        { "name-best-effort", "ports[1].egress.classes[0].name", "best-effort" },
        { "name-twice", "ports[1].egress.classes[1].name", "earlier class" },
        { "dscp-empty", "ports[1].egress.classes[1].dscp", "empty" },
        { "dscp-64", "ports[1].egress.classes[0].dscp[1]", "outside 0..63" },
        { "dscp-negative", "ports[1].egress.classes[0].dscp[0]", "outside 0..63" },
        { "dscp-in-two", "ports[1].egress.classes[1].dscp[0]", "already in class 'mec'" },
        { "dscp-twice", "ports[1].egress.classes[0].dscp[2]", "listed twice" },
        { "guarantees-over-rate", "ports[1].egress.classes[1].guaranteedBitsPerSecond", "add up to 1100000000" },
        { "guarantee-negative", "ports[1].egress.classes[0].guaranteedBitsPerSecond", "outside" },
        { "weight-zero", "ports[1].egress.classes[0].weight", "outside 1..100" },
        { "queue-zero", "ports[1].egress.classes[0].queuePackets", "outside 1..65536" },
        { "best-effort-queue", "ports[1].egress.bestEffort.queuePackets", "outside 1..65536" },
        { "best-effort-weight", "ports[1].egress.bestEffort.weight", "outside 1..100" },
        { "too-many-classes", "ports[1].egress.classes", "at most 7" },
        { "unknown-field", "ports[1].egress.classes[0].priority", "" },
        { "dpdk-pool", "dpdk.mbufCount", "more than half of the pool" },
    };

    [Theory]
    [MemberData(nameof(BadSections))]
    public void A_bad_value_is_refused_naming_its_field(string change, string field, string words)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load(root =>
        {
            switch (change)
            {
                case "rate-low": Egress(root)["rateBitsPerSecond"] = 1000; break;
                case "rate-high": Egress(root)["rateBitsPerSecond"] = 500_000_000_000; break;
                case "burst": Egress(root)["burstBytes"] = 100; break;
                case "overhead": Egress(root)["frameOverheadBytes"] = 65; break;
                case "name-empty": Class(root, 0)["name"] = ""; break;
                case "name-space": Class(root, 0)["name"] = "m e c"; break;
                case "name-best-effort": Class(root, 0)["name"] = "best-effort"; break;
                case "name-twice": Class(root, 1)["name"] = "mec"; break;
                case "dscp-empty": Class(root, 1)["dscp"] = new JsonArray(); break;
                case "dscp-64": Class(root, 0)["dscp"] = new JsonArray(46, 64); break;
                case "dscp-negative": Class(root, 0)["dscp"] = new JsonArray(-1); break;
                case "dscp-in-two": Class(root, 1)["dscp"] = new JsonArray(34); break;
                case "dscp-twice": Class(root, 0)["dscp"] = new JsonArray(46, 34, 46); break;
                case "guarantees-over-rate": Class(root, 1)["guaranteedBitsPerSecond"] = 800_000_000; break;
                case "guarantee-negative": Class(root, 0)["guaranteedBitsPerSecond"] = -1; break;
                case "weight-zero": Class(root, 0)["weight"] = 0; break;
                case "queue-zero": Class(root, 0)["queuePackets"] = 0; break;
                case "best-effort-queue": Egress(root)["bestEffort"]!["queuePackets"] = 100_000; break;
                case "best-effort-weight": Egress(root)["bestEffort"]!["weight"] = 101; break;
                case "too-many-classes":
                    var classes = new JsonArray();
                    for (int i = 0; i < 8; i++)
                    {
                        classes.Add(new JsonObject { ["name"] = $"c{i}", ["dscp"] = new JsonArray(i) });
                    }

                    Egress(root)["classes"] = classes;
                    break;
                case "unknown-field": Class(root, 0)["priority"] = 1; break;
                case "dpdk-pool":
                    root["workers"] = 2;
                    root["dpdk"] = new JsonObject { ["mbufCount"] = 8191 };
                    root["ports"]![1]!["driver"] = "dpdk";
                    root["ports"]![1]!["dpdkDevice"] = "net_null0";
                    break;
                default: throw new ArgumentException(change);
            }
        }));

        Assert.Equal(field, error.Field);
        Assert.Contains(words, error.Problem);
        Assert.DoesNotContain('\n', error.Message);
    }
}
