using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dataplane.Control.Rest;
using Dataplane.Tests.Oracles;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;

namespace Dataplane.Tests.Control.Rest;

/// <summary>
/// The OpenAPI document served at GET /openapi.json is generated from the endpoints: it lists exactly the routes
/// routing has mapped, with their methods, request bodies and statuses; it agrees with the API as docs/tof-api.md
/// describes it; and the real answers have exactly the properties its schemas list.
/// </summary>
public sealed partial class TofOpenApiTests : IDisposable
{
    private static readonly string[] ServiceFields = ["name", "serviceIP", "applicationIP", "applications"];

    // applicationIP or applications: neither alone is required.
    private static readonly string[] RequiredServiceFields = ["name", "serviceIP"];
    private static readonly string[] RuleFields = ["name", "priority", "scope", "actions", "instanceId", "vni", "service", "ue", "direction", "match"];
    private static readonly string[] RuleRequired = ["name", "priority", "scope", "actions"];
    private readonly RestApiHarness api = new(tunnels: new FakeTunnelSource(
        new TofTunnelView("10.45.0.2", "192.0.2.10", 0x101, "192.0.2.20", 0x1000, 9, new DateTimeOffset(2026, 11, 23, 17, 0, 1, TimeSpan.Zero))));

    public void Dispose() => api.Dispose();

    [Fact]
    public async Task The_document_lists_every_mapped_route_with_its_methods_request_body_and_statuses()
    {
        var document = await Document();
        var mapped = api.Server.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(method => (Endpoint: endpoint, Method: method)))
            .ToList();
        var paths = document["paths"]!.AsObject();

        Assert.Equal(11, mapped.Count);
        Assert.Equal(
            mapped.Select(route => "/" + route.Endpoint.RoutePattern.RawText!.TrimStart('/')).Distinct().Order(StringComparer.Ordinal),
            paths.Select(path => path.Key).Order(StringComparer.Ordinal));
        foreach (var (endpoint, method) in mapped)
        {
            string path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var operation = paths[path]![method.ToLowerInvariant()];
            Assert.True(operation is not null, $"{method} {path} is mapped but not in the document");
            Assert.Equal(
                endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(produces => produces.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal),
                operation["responses"]!.AsObject().Select(response => response.Key).Order(StringComparer.Ordinal));
            Assert.Contains("401", operation["responses"]!.AsObject().Select(response => response.Key));
            Assert.False(string.IsNullOrEmpty(operation["operationId"]?.GetValue<string>()), $"{method} {path} has no operationId");

            if (method is "POST" or "PUT")
            {
                Assert.True(operation["requestBody"]!["required"]!.GetValue<bool>());
                var schema = Resolve(document, operation["requestBody"]!["content"]!["application/json"]!["schema"]!);
                var (fields, required) = path.StartsWith("/rule", StringComparison.Ordinal) ? (RuleFields, RuleRequired) : (ServiceFields, RequiredServiceFields);
                Assert.Equal(fields, schema["properties"]!.AsObject().Select(p => p.Key));
                Assert.Equal(required, schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
            }
            else
            {
                Assert.Null(operation["requestBody"]);
            }
        }

        Assert.Equal("bearerAuth", document["security"]![0]!.AsObject().Single().Key);
        Assert.Equal("http", document["components"]!["securitySchemes"]!["bearerAuth"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_document_agrees_with_the_endpoint_table_of_tof_api_md()
    {
        var document = await Document();
        var documented = EndpointTable(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "tof-api.md")));
        var generated = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => (
                Key: $"{operation.Key.ToUpperInvariant()} {path.Key}",
                Statuses: operation.Value!["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal).ToList())))
            .ToDictionary(operation => operation.Key, operation => operation.Statuses);

        Assert.Equal(documented.Keys.Order(StringComparer.Ordinal), generated.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, statuses) in documented)
        {
            Assert.True(statuses.SequenceEqual(generated[key]), $"{key}: tof-api.md says {string.Join(",", statuses)}, the document {string.Join(",", generated[key])}");
        }
    }

    [Fact]
    public async Task The_service_schema_has_the_fields_of_tof_api_md()
    {
        var document = await Document();
        string markdown = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "tof-api.md"));
        string section = markdown[markdown.IndexOf("## A service", StringComparison.Ordinal)..markdown.IndexOf("## Endpoints", StringComparison.Ordinal)];
        var fields = FieldRow().Matches(section).Select(match => match.Groups[1].Value).ToList();
        var schema = Resolve(document, document["paths"]!["/service"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!);

        Assert.Equal(ServiceFields, fields);
        Assert.Equal(fields, schema["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Answers_have_exactly_the_properties_their_schemas_list()
    {
        var document = await Document();
        var (postStatus, service) = await api.Post(RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10"));
        var (tunnelStatus, tunnels) = await api.Send(HttpMethod.Get, "/tunnel");
        var (conflictStatus, conflict) = await api.Post(RestApiHarness.Service("video", "198.51.100.11", "10.200.0.11"));
        var (clusterStatus, cluster) = await api.Post(new JsonObject
        {
            ["name"] = "cluster", ["serviceIP"] = "198.51.100.12",
            ["applications"] = new JsonArray(new JsonObject { ["ip"] = "10.200.0.12", ["weight"] = 2 }),
        });

        Assert.Equal(HttpStatusCode.OK, postStatus);
        Assert.Equal(HttpStatusCode.OK, clusterStatus);
        Assert.Equal(HttpStatusCode.OK, tunnelStatus);
        Assert.Equal(HttpStatusCode.Conflict, conflictStatus);
        // A cluster's answer has every property; a service given by its applicationIP answers as it always has, without applications.
        Assert.Equal(Properties(document, "/service", "post", "200"), cluster!.AsObject().Select(p => p.Key));
        Assert.Equal(Properties(document, "/service", "post", "200").Where(p => p != "applications"), service!.AsObject().Select(p => p.Key));
        var instanceSchema = Resolve(document, Resolve(document, document["paths"]!["/service"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!)["properties"]!["applications"]!["items"]!);
        Assert.Equal(instanceSchema["properties"]!.AsObject().Select(p => p.Key), cluster["applications"]!.AsArray().Single()!.AsObject().Select(p => p.Key));
        var tunnelSchema = Resolve(document, document["paths"]!["/tunnel"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["items"]!);
        Assert.Equal(tunnelSchema["properties"]!.AsObject().Select(p => p.Key), tunnels!.AsArray().Single()!.AsObject().Select(p => p.Key));
        Assert.Equal(Properties(document, "/service", "post", "409"), conflict!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task The_document_is_openapi_3_0_with_the_product_version()
    {
        var document = await Document();

        Assert.Matches(@"^3\.0\.\d+$", document["openapi"]!.GetValue<string>());
        Assert.Equal(Dataplane.Runtime.Build.BuildInfo.Version, document["info"]!["version"]!.GetValue<string>());
        Assert.Equal("Dataplane TOF API", document["info"]!["title"]!.GetValue<string>());
    }

    /// <summary>"METHOD /path" -> the statuses of the Success and Errors columns, from the table under "## Endpoints".</summary>
    private static Dictionary<string, List<string>> EndpointTable(string markdown)
    {
        var table = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (Match row in EndpointRow().Matches(markdown))
        {
            string path = Placeholder().Replace(row.Groups[2].Value, "{name}");
            table.Add($"{row.Groups[1].Value} {path}", [.. Status().Matches(row.Groups[3].Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal)]);
        }

        Assert.NotEmpty(table);
        return table;
    }

    private static IEnumerable<string> Properties(JsonNode document, string path, string method, string status) =>
        Resolve(document, document["paths"]![path]![method]!["responses"]![status]!["content"]!["application/json"]!["schema"]!)["properties"]!.AsObject().Select(p => p.Key);

    private static JsonNode Resolve(JsonNode document, JsonNode schema)
    {
        if (schema["$ref"]?.GetValue<string>() is not { } reference)
        {
            return schema;
        }

        JsonNode? target = document;
        foreach (string part in reference.TrimStart('#', '/').Split('/'))
        {
            target = target?[part];
        }

        return target ?? throw new InvalidOperationException($"{reference} does not resolve");
    }

    private async Task<JsonNode> Document()
    {
        var (status, document) = await api.Send(HttpMethod.Get, "/openapi.json");
        Assert.Equal(HttpStatusCode.OK, status);
        return document!;
    }

    [GeneratedRegex(@"^\| `(GET|POST|PUT|DELETE) (/[^`]*)` [^|]*\|(.*)\|$", RegexOptions.Multiline)]
    private static partial Regex EndpointRow();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"`(\d{3})`")]
    private static partial Regex Status();

    [GeneratedRegex(@"^\| `([A-Za-z]+)` \|", RegexOptions.Multiline)]
    private static partial Regex FieldRow();
}
