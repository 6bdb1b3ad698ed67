using System.Text.Json.Nodes;
using Dataplane.Control.Verification;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Tests.Verification;

/// <summary>
/// Small configurations written for the verify tests, each correct as given (no finding at all), so a test breaks one
/// thing and expects exactly one finding, its code and path worked out by hand from the JSON below.
/// </summary>
public static class VerifyConfigs
{
    /// <summary>
    /// An xTR: EIDs [7]10.1.0.0/24 on port eid (connected), RLOCs 198.51.100.0/24 through 192.0.2.254 (a static
    /// neighbour) on port rloc; one map-cache entry whose RLOC is behind that gateway.
    /// </summary>
    public static JsonObject Xtr() => Parse("""
        {
          "roles": ["itr", "etr"],
          "ports": [
            { "name": "eid", "mac": "02:00:00:00:00:01", "instanceId": 7, "addresses": ["10.1.0.254"] },
            { "name": "rloc", "mac": "02:00:00:00:00:02", "addresses": ["192.0.2.1"] }
          ],
          "neighbours": [ { "address": "192.0.2.254", "mac": "02:00:00:00:ff:01", "port": "rloc" } ],
          "routes": [
            { "prefix": "198.51.100.0/24", "nextHop": "192.0.2.254", "port": "rloc" },
            { "prefix": "[7]10.1.0.0/24", "port": "eid" }
          ],
          "lisp": {
            "localRlocs": [ { "address": "192.0.2.1" } ],
            "localEids": ["[7]10.1.0.0/24"],
            "mapCache": [ { "eid": "[7]10.2.0.0/16", "locators": [ { "address": "198.51.100.1" } ] } ]
          }
        }
        """);

    /// <summary>A TOF with separate eNB, SGW and Apps ports; one service whose application 172.16.0.10 is a static neighbour behind the Apps port.</summary>
    public static JsonObject Tof() => Parse("""
        {
          "roles": ["tof"],
          "ports": [
            { "name": "enb", "mac": "02:00:00:00:e0:01" },
            { "name": "sgw", "mac": "02:00:00:00:e0:02" },
            { "name": "apps", "mac": "02:00:00:00:e0:03", "addresses": ["172.16.0.1"] }
          ],
          "neighbours": [ { "address": "172.16.0.10", "mac": "02:00:00:00:a0:0a", "port": "apps" } ],
          "routes": [ { "prefix": "172.16.0.0/24", "port": "apps" } ],
          "tof": {
            "enbPort": "enb", "sgwPort": "sgw", "appsPort": "apps",
            "services": [ { "name": "video", "serviceIP": "10.200.0.1", "applicationIP": "172.16.0.10" } ]
          }
        }
        """);

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public static DataplaneConfig Config(JsonObject json) => DataplaneConfigFile.Parse(json.ToJsonString());

    public static IReadOnlyList<VerificationFinding> Verify(JsonObject json, string? state = null) => ConfigurationVerifier.Verify(Config(json), state);

    /// <summary>The one finding there must be, with its code and path.</summary>
    public static VerificationFinding Single(IReadOnlyList<VerificationFinding> findings, FindingSeverity severity, string code, string path)
    {
        var finding = Assert.Single(findings);
        Assert.Equal((severity, code, path), (finding.Severity, finding.Code, finding.Path));
        return finding;
    }

    public static void AddRoute(JsonObject config, string prefix, string? nextHop, string port)
    {
        var route = new JsonObject { ["prefix"] = prefix, ["port"] = port };
        if (nextHop is not null)
        {
            route["nextHop"] = nextHop;
        }

        config["routes"]!.AsArray().Add(route);
    }
}
