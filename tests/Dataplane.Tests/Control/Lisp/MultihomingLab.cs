namespace Dataplane.Tests.Control.Lisp;

/// <summary>
/// A multihomed site on the simulated underlay: one map-server and two ETRs (E1, E2) that serve the same EID prefix
/// with their own RLOCs, plus an ITR elsewhere. Configurations only; the tests build the lab they need.
/// </summary>
internal static class MultihomingLab
{
    public const string Ms = "192.0.2.100", RlocE1 = "192.0.2.11", RlocE2 = "192.0.2.12", RlocItr = "192.0.2.3";
    public const string SitePrefix = "10.1.0.0/24", SiteHost = "10.1.0.5";
    public const string XtrIdE1 = "0123456789abcdef0123456789abcdef";
    public const string Key = "lab-key";

    public static string MsConfig(int maxParts = 8, int ttlSeconds = 180) => $$"""
        {
          "roles": ["msmr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:01:00", "addresses": ["{{Ms}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{Ms}}" } ],
            "mappingSystem": {
              "sites": [
                { "name": "lab", "keyId": 2, "key": "{{Key}}", "eidPrefixes": ["[0]10.0.0.0/8"], "mergeRegistrations": true },
                { "name": "other", "keyId": 2, "key": "other-key", "eidPrefixes": ["[0]172.16.0.0/12"] } ],
              "maxPartsPerPrefix": {{maxParts}},
              "registrationTtlSeconds": {{ttlSeconds}}
            }
          }
        }
        """;

    /// <summary>An xTR; <paramref name="xtrId"/> null leaves the xTR-ID to its default.</summary>
    public static string XtrConfig(string rloc, string eid, string? xtrId = null, ulong siteId = 7, bool proxyReply = false,
        int registerIntervalSeconds = 60, byte priority = 1) => $$"""
        {
          "roles": ["itr", "etr"],
          "ports": [ { "name": "und", "mac": "02:00:00:00:00:{{rloc.Split('.')[3].PadLeft(2, '0')}}", "addresses": ["{{rloc}}"] } ],
          "lisp": {
            "localRlocs": [ { "address": "{{rloc}}", "priority": {{priority}}, "weight": 100 } ],
            "localEids": [ "{{eid}}" ],
            "mapResolvers": [ "{{Ms}}" ],
            "mapServers": [ { "address": "{{Ms}}", "keyId": 2, "key": "{{Key}}", "proxyReply": {{(proxyReply ? "true" : "false")}} } ],
            "registerIntervalSeconds": {{registerIntervalSeconds}},
            {{(xtrId is null ? "" : $"\"xtrId\": \"{xtrId}\",")}}
            "siteId": {{siteId}}
          }
        }
        """;
}
