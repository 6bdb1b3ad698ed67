using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using BenchmarkDotNet.Attributes;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Tables.MapCache;
using Dataplane.Tables.Time;

namespace Dataplane.Benchmarks;

/// <summary>
/// Control requests parsed and validated without being applied, per request. <c>SocketMapCacheAdd</c>: one control
/// socket line <c>{"jsonrpc":"2.0","id":1,"method":"mapcache.add","params":{...two locators...}}</c> through the steps
/// of <see cref="JsonRpcHandler.Handle"/> before the apply (JSON parse, envelope checks, then the method's
/// <see cref="ControlMethod.Prepare"/>, which reads and checks every parameter and builds the
/// <see cref="MapCacheEntry"/>); the returned apply function is not called. <c>RestServicePost</c>: a TOF REST
/// <c>POST /service</c> body through the steps of <c>TofRestApi</c> before the apply (JsonNode parse refusing duplicate
/// properties, conversion to the parameters element, <see cref="TofMethods.ReadService"/>). The envelope and REST
/// steps are copied from those handlers, whose parse steps are private. Setup throws unless both requests validate.
/// Compare with the update target: 1M updates/s (1 us) for the table; the socket path is not expected to
/// keep up with it.
/// </summary>
[MemoryDiagnoser]
public class ControlRequestParseBenchmarks
{
    private static readonly byte[] MapCacheAddLine = Encoding.UTF8.GetBytes(
        """{"jsonrpc":"2.0","id":1,"method":"mapcache.add","params":{"eid":"[7]10.2.0.0/24","ttlMinutes":1440,"locators":[{"address":"198.51.100.1","priority":1,"weight":50},{"address":"198.51.100.2","priority":1,"weight":50}]}}""");

    private static readonly byte[] ServiceBody = Encoding.UTF8.GetBytes("""{"name":"video","serviceIP":"10.200.0.1","applicationIP":"203.0.113.10"}""");

    private ControlMethod _mapCacheAdd = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = DataplaneConfigFile.Parse("""
            {
              "roles": ["itr"],
              "ports": [ { "name": "eid-side", "mac": "02:00:00:00:00:01", "instanceId": 7 },
                         { "name": "rloc-side", "mac": "02:00:00:00:00:02", "addresses": ["192.0.2.1"] } ],
              "lisp": { "localRlocs": [ { "address": "192.0.2.1" } ], "localEids": [ "[7]10.1.0.0/24" ] }
            }
            """);
        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000), NonceSeed = 1 });
        var context = new ControlContext(plane);
        foreach (var method in LispMethods.Create(context))
        {
            if (method.Name == "mapcache.add")
            {
                _mapCacheAdd = method;
            }
        }

        if (SocketMapCacheAdd() is null || RestServicePost() != "video")
        {
            throw new InvalidOperationException("a request did not validate: the benchmark would measure a refusal");
        }

        if (plane.Feature<Dataplane.Forwarding.Lisp.LispEncapsulationFeature>()!.Tables.MapCache.Count != 0)
        {
            throw new InvalidOperationException("validating mapcache.add applied it");
        }
    }

    [Benchmark]
    public Func<JsonNode?>? SocketMapCacheAdd()
    {
        using var document = JsonDocument.Parse(MapCacheAddLine.AsSpan().ToArray());
        var request = document.RootElement;
        if (request.ValueKind != JsonValueKind.Object
            || !request.TryGetProperty("id", out var id) || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null)
            || !request.TryGetProperty("jsonrpc", out var version) || version.GetString() != "2.0"
            || !request.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String
            || method.GetString() != _mapCacheAdd.Name
            || !request.TryGetProperty("params", out var parameters))
        {
            return null;
        }

        return _mapCacheAdd.Prepare(new ParamReader(parameters, "params"));
    }

    [Benchmark]
    public string? RestServicePost()
    {
        var body = JsonNode.Parse(ServiceBody, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        if (body is not JsonObject)
        {
            return null;
        }

        var parameters = JsonSerializer.SerializeToElement(body);
        return TofMethods.ReadService(new ParamReader(parameters, "params")).Name;
    }
}
