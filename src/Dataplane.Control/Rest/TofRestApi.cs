using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Logging;
using Dataplane.Control.Socket;

namespace Dataplane.Control.Rest;

/// <summary>
/// The TOF REST API's operations, independent of the transport: the service operations go through
/// <see cref="ControlMethods.Invoke"/> (service.*), so REST mutations are checked in full before anything changes,
/// serialised with the socket's and journaled; <see cref="Tunnels"/> reads <see cref="ControlContext.TofTunnels"/>.
/// <see cref="TofRestRoutes"/> maps them on Kestrel; <see cref="Handle"/> runs them without HTTP (the fuzz target).
/// Authentication is the server's job, before this runs.
/// </summary>
public sealed class TofRestApi(ControlMethods methods)
{
    /// <summary>The REST API's logger (category <c>Dataplane.Control.Rest</c>), from the daemon's logging.</summary>
    public Microsoft.Extensions.Logging.ILogger Logger => methods.Context.Logging.Logger(LogCategories.Rest);

    /// <summary>/rule: the traffic rules (<see cref="TrafficRuleRestRoutes"/>).</summary>
    public TrafficRuleRestApi Rules { get; } = new(methods);

    /// <summary>GET /service.</summary>
    public RestResponse ListServices() => Call("service.list", null, null);

    /// <summary>POST /service with this body.</summary>
    public RestResponse AddService(byte[] body) => WithBody(body, parsed => Call("service.add", Parameters(parsed), "params"));

    /// <summary>
    /// PUT /service/{name} with this body; <paramref name="name"/> as routing gives it (percent-decoded but for %2F).
    /// <paramref name="drain"/> is the query's drain: "true" moves the flows of the instances the new service leaves
    /// out or marks drain (service.update's drain), "false" or absent leaves every flow where it is.
    /// </summary>
    public RestResponse UpdateService(string name, byte[] body, string? drain = null)
    {
        if (ServiceKey(name) is { } problem)
        {
            return problem;
        }

        if (drain is not (null or "true" or "false"))
        {
            return RestResponse.Error(400, $"query.drain: '{drain}' is neither true nor false");
        }

        return WithBody(body, parsed =>
        {
            var parameters = new JsonObject { ["name"] = name, ["service"] = parsed };
            if (drain == "true")
            {
                parameters["drain"] = true;
            }

            return Call("service.update", Parameters(parameters), "params.service");
        });
    }

    /// <summary>DELETE /service/{name or serviceIP}.</summary>
    public RestResponse RemoveService(string nameOrServiceIp) =>
        ServiceKey(nameOrServiceIp) is { } problem ? problem
        : Call("service.remove", Parameters(new JsonObject { ["nameOrServiceIp"] = nameOrServiceIp }), null);

    /// <summary>
    /// One request without HTTP, routed like the server routes it (the path percent-encoded, as on the wire); the
    /// fuzz target drives the operations through this.
    /// </summary>
    public RestResponse Handle(RestRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string path = request.Path;
        if (path == "/service")
        {
            return request.Method switch
            {
                "GET" => ListServices(),
                "POST" => AddService(request.Body),
                _ => NotAllowed("GET, POST"),
            };
        }

        if (path.StartsWith("/service/", StringComparison.Ordinal))
        {
            string key;
            try
            {
                key = Uri.UnescapeDataString(path["/service/".Length..]);
            }
            catch (UriFormatException)
            {
                return RestResponse.Error(400, $"'{path}' is not a valid path");
            }

            if (key.Length == 0 || key.Contains('/', StringComparison.Ordinal))
            {
                return NoSuchResource(path);
            }

            return request.Method switch
            {
                "PUT" => UpdateService(key, request.Body),
                "DELETE" => RemoveService(key),
                _ => NotAllowed("PUT, DELETE"),
            };
        }

        return path == "/tunnel" ? (request.Method == "GET" ? Tunnels() : NotAllowed("GET")) : NoSuchResource(path);
    }

    /// <summary>The answer to a path no route takes.</summary>
    public static RestResponse NoSuchResource(string path) => RestResponse.Error(404, $"no such resource: {path}; see /openapi.json");

    /// <summary>The answer to a method a path does not take, with the Allow header (RFC 9110 section 15.5.6).</summary>
    public static RestResponse NotAllowed(string allow) =>
        RestResponse.Error(405, $"method not allowed; allowed: {allow}", KeyValuePair.Create("Allow", allow));

    /// <summary>A name with an encoded '/' (routing keeps %2F encoded) names no service: 404, as a path with more segments.</summary>
    private static RestResponse? ServiceKey(string key) =>
        key.Contains('/', StringComparison.Ordinal) || key.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            ? NoSuchResource("/service/" + key)
            : null;

    /// <summary>GET /tunnel.</summary>
    public RestResponse Tunnels()
    {
        if (methods.Context.TofTunnels is not { } source)
        {
            return RestResponse.Error(503, "this data plane has no TOF tunnels (no role tof)");
        }

        var list = new JsonArray();
        foreach (var tunnel in source.List().OrderBy(t => t.UeIp, StringComparer.Ordinal))
        {
            list.Add(new JsonObject
            {
                ["ueIP"] = tunnel.UeIp,
                ["enbAddress"] = tunnel.EnbAddress,
                ["uplinkTeid"] = tunnel.UplinkTeid,
                ["sgwAddress"] = tunnel.SgwAddress,
                ["downlinkTeid"] = tunnel.DownlinkTeid,
                ["qfi"] = tunnel.Qfi,
                ["lastSeen"] = tunnel.LastSeen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            });
        }

        return RestResponse.Json(200, list);
    }

    /// <summary>Runs a method; its refusal becomes 400 (bad params), 404 (no such service), 409 (name or serviceIP taken) or 503 (no TOF).</summary>
    private RestResponse Call(string method, JsonElement? parameters, string? bodyPath) =>
        RestMethodCall.Call(methods, Logger, method, parameters, bodyPath);

    private static RestResponse WithBody(byte[] body, Func<JsonNode, RestResponse> handle) =>
        RestMethodCall.WithBody(body, "{name, serviceIP, applicationIP}", handle);

    private static JsonElement Parameters(JsonNode parameters) => JsonSerializer.SerializeToElement(parameters);
}
