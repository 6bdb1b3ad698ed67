namespace Dataplane.Throughput.Scenarios;

/// <summary>The ITR of LispEncapsulationStageBenchmarks and itr_baseline.c: site 10.1.0.0/24 and 2001:db8:1::/64 in instance 7.</summary>
public static class ItrConfiguration
{
    public const ulong EidPortMac = 0x02_00_00_00_00_01;
    public const ulong HostMac = 0x02_00_00_00_00_10;
    public const uint Host = 0x0A01_000A; // 10.1.0.10

    public const string Json = """
        {
          "roles": ["itr"],
          "ports": [
            { "name": "eid-side", "mac": "02:00:00:00:00:01", "instanceId": 7 },
            { "name": "rloc-side", "mac": "02:00:00:00:00:02", "mtu": 9000, "addresses": ["192.0.2.1"] }
          ],
          "neighbours": [{ "address": "192.0.2.254", "mac": "02:00:00:00:ff:01", "port": "rloc-side" }],
          "routes": [{ "prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "rloc-side" }],
          "lisp": {
            "localRlocs": [{ "address": "192.0.2.1" }],
            "localEids": ["[7]10.1.0.0/24", "[7]2001:db8:1::/64"]
          }
        }
        """;
}
