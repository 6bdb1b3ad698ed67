using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Pipeline;

/// <summary>A configuration the data plane cannot run with is refused with the JSON path of the field at fault.</summary>
public class ConfigurationErrorTests
{
    private const string ValidPorts = """
        "ports": [ { "name": "inside", "mac": "02:00:00:00:00:01" }, { "name": "outside", "mac": "02:00:00:00:00:02", "addresses": ["192.0.2.1"] } ]
        """;

    [Theory]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "mtu": "big" } ] }""", "ports[0].mtu")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "speed": 10 } ] }""", "ports[0].speed")]
    [InlineData("""{ "ports": [ { "mac": "02:00:00:00:00:01" } ] }""", "ports[0]")]
    [InlineData("""{ "roles": ["itr"], "ports": [ { "name": "a", "mac": "02:00:00:00:00:01" } """, "ports")]
    public void Json_errors_name_the_field(string json, string field)
    {
        var error = Assert.Throws<ConfigurationException>(() => DataplaneConfigFile.Parse(json));
        Assert.StartsWith(field, error.Field, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "roles": ["xtr"], PORTS }""", "roles[0]", "unknown role 'xtr'")]
    [InlineData("""{ "ports": [] }""", "ports", "at least one port")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:zz" } ] }""", "ports[0].mac", "not a MAC address")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01", "mtu": 40 } ] }""", "ports[0].mtu", "outside 68..9600")]
    [InlineData("""{ "ports": [ { "name": "a", "mac": "02:00:00:00:00:01" }, { "name": "a", "mac": "02:00:00:00:00:02" } ] }""", "ports[1].name", "used by another port")]
    [InlineData("""{ PORTS, "routes": [ { "prefix": "10.0.0.1/8", "port": "inside" } ] }""", "routes[0].prefix", "not a prefix")]
    [InlineData("""{ PORTS, "routes": [ { "prefix": "10.0.0.0/8", "port": "dmz" } ] }""", "routes[0].port", "no port named 'dmz'")]
    [InlineData("""{ PORTS, "routes": [ { "prefix": "10.0.0.0/8", "nextHop": "2001:db8::1", "port": "inside" } ] }""", "routes[0].nextHop", "address family")]
    [InlineData("""{ PORTS, "neighbours": [ { "address": "192.0.2.300", "mac": "02:00:00:00:00:09", "port": "outside" } ] }""", "neighbours[0].address", "not an IPv4 or IPv6 address")]
    [InlineData("""{ PORTS, "puntQueueCapacity": 0 }""", "puntQueueCapacity", "outside")]
    [InlineData("""{ PORTS, "icmpErrors": { "ratePerSecond": -1 } }""", "icmpErrors.ratePerSecond", "outside 0..1000000")]
    [InlineData("""{ PORTS, "icmpErrors": { "ratePerSecond": 1000001 } }""", "icmpErrors.ratePerSecond", "outside 0..1000000")]
    [InlineData("""{ "roles": ["msmr"], PORTS }""", "lisp", "needs a \"lisp\" section")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ] } }""", "lisp.mappingSystem", "sites")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "mappingSystem": { "sites": [ { "name": "a", "keyId": 3, "key": "k" } ] } } }""", "lisp.mappingSystem.sites[0].keyId", "1 (HMAC-SHA-1) or 2")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "mappingSystem": { "sites": [ { "name": "a", "key": "k", "eidPrefixes": ["10.0.0.1/8"] } ] } } }""", "lisp.mappingSystem.sites[0].eidPrefixes[0]", "not a prefix")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "mappingSystem": { "maxRegistrations": 0, "sites": [ { "name": "a", "key": "k" } ] } } }""", "lisp.mappingSystem.maxRegistrations", "outside 1..16777216")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "mappingSystem": { "sites": [ { "name": "a", "key": "k", "maxRegistrations": -5 } ] } } }""", "lisp.mappingSystem.sites[0].maxRegistrations", "outside 1..16777216")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "mapResolvers": ["192.0.2.999"] } }""", "lisp.mapResolvers[0]", "not an IPv4 or IPv6 address")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "mapServers": [ { "address": "192.0.2.9", "key": "" } ] } }""", "lisp.mapServers[0].key", "empty")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "mapRequests": { "perDestinationPerSecond": 0 } } }""", "lisp.mapRequests.perDestinationPerSecond", "outside")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "mapRequests": { "resolverDownAfter": 0 } } }""", "lisp.mapRequests.resolverDownAfter", "outside 1..100")]
    [InlineData("""{ "roles": ["msmr"], PORTS, "lisp": { "mappingSystem": { "registrationTtlSeconds": 0, "sites": [] } } }""", "lisp.mappingSystem.registrationTtlSeconds", "outside 1..86400")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "mapRequests": { "resolverRetrySeconds": 0 } } }""", "lisp.mapRequests.resolverRetrySeconds", "outside 1..86400")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "mapResolvers": ["192.0.2.9", "192.0.2.1"] } }""", "lisp.mapResolvers[1]", "this node's own address")]
    [InlineData("""{ "roles": ["etr"], PORTS, "lisp": { "localRlocs": [ { "address": "198.51.100.1" } ], "mapServers": [ { "address": "198.51.100.1", "key": "k" } ] } }""", "lisp.mapServers[0].address", "this node's own address")]
    [InlineData("""{ "roles": ["msmr", "itr", "etr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "mapServers": [ { "address": "192.0.2.1", "key": "k" } ], "mappingSystem": { "sites": [] } } }""", "lisp.mapServers[0].address", "this node's own address")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "rlocProbing": { "downAfter": 0 } } }""", "lisp.rlocProbing.downAfter", "outside")]
    [InlineData("""{ "roles": ["itr", "etr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "changePriority": { "key": "k", "previousLocatorWaitMilliseconds": 5 } } }""", "lisp.changePriority.previousLocatorWaitMilliseconds", "outside 10..10000")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "rlocProbing": { "intervalSeconds": 1, "intervalMilliseconds": 500 } } }""", "lisp.rlocProbing.intervalMilliseconds", "not both")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "rlocProbing": { "intervalMilliseconds": 20, "timeoutMilliseconds": 10 } } }""", "lisp.rlocProbing.intervalMilliseconds", "outside 50..")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "rlocProbing": { "intervalMilliseconds": 500, "timeoutMilliseconds": 600 } } }""", "lisp.rlocProbing.timeoutMilliseconds", "longer than the probe interval (500 ms)")]
    [InlineData("""{ "roles": ["itr"], PORTS, "lisp": { "localEids": ["10.1.0.0/24"], "rlocProbing": { "degradedJitterMilliseconds": 0 } } }""", "lisp.rlocProbing.degradedJitterMilliseconds", "outside 1..")]
    public void Semantic_errors_name_the_field(string json, string field, string problem)
    {
        var config = DataplaneConfigFile.Parse(json.Replace("PORTS", ValidPorts, StringComparison.Ordinal));
        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(config));
        Assert.Equal(field, error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_configuration_builds_ports_neighbours_and_routes()
    {
        var config = DataplaneConfigFile.Parse($$"""
            {
              // comments and trailing commas are allowed
              {{ValidPorts}},
              "neighbours": [ { "address": "192.0.2.254", "mac": "02:00:00:00:00:fe", "port": "outside" } ],
              "routes": [ { "prefix": "0.0.0.0/0", "nextHop": "192.0.2.254", "port": "outside" }, ],
            }
            """);
        var plane = ForwardingPlaneBuilder.Build(config);

        Assert.Equal(2, plane.Ports.Count);
        Assert.Equal("outside", plane.Ports.All[1].Name);
        Assert.Equal(1, plane.Neighbours.Count);
        Assert.Equal(1, plane.Fib.Count);
        Assert.Contains(Dataplane.Wire.Addresses.IpAddress.Parse("192.0.2.1"), (IReadOnlySet<Dataplane.Wire.Addresses.IpAddress>)plane.LocalAddresses);
    }
}
