using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Control.Lisp;

/// <summary>The multihoming fields (xTR-ID, parts per prefix, registration TTL in seconds) refused with the field named.</summary>
public sealed class MultihomingConfigurationTests
{
    private const string Ports = """
        "ports": [ { "name": "und", "mac": "02:00:00:00:00:01", "addresses": ["192.0.2.1"] } ]
        """;

    [Theory]
    [InlineData("""{ "roles": ["etr"], PORTS, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "xtrId": "0123" } }""", "lisp.xtrId", "32 hex digits")]
    [InlineData("""{ "roles": ["etr"], PORTS, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "xtrId": "0123456789abcdef0123456789abcdeg" } }""", "lisp.xtrId", "32 hex digits")]
    [InlineData("""{ "roles": ["etr"], PORTS, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "xtrId": "00000000000000000000000000000000" } }""", "lisp.xtrId", "all zeros")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "mappingSystem": { "maxPartsPerPrefix": 0 } } }""", "lisp.mappingSystem.maxPartsPerPrefix", "outside 1..255")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "mappingSystem": { "registrationTtlSeconds": 0 } } }""", "lisp.mappingSystem.registrationTtlSeconds", "outside 1..86400")]
    public void Bad_multihoming_fields_name_the_field(string json, string field, string problem)
    {
        var config = DataplaneConfigFile.Parse(json.Replace("PORTS", Ports, StringComparison.Ordinal));
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(config));
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_xtr_id_is_read_as_hex_and_the_site_id_as_given()
    {
        var config = DataplaneConfigFile.Parse("""
            { "roles": ["etr"], "ports": [ { "name": "und", "mac": "02:00:00:00:00:01", "addresses": ["192.0.2.1"] } ],
              "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "xtrId": "FEDCBA9876543210fedcba9876543210", "siteId": 18446744073709551615 } }
            """);
        var identity = Dataplane.Control.Lisp.XtrIdentity.From(config.Lisp!);
        Assert.Equal(new UInt128(0xFEDCBA9876543210, 0xFEDCBA9876543210), identity.XtrId);
        Assert.Equal(ulong.MaxValue, identity.SiteId);
    }
}
