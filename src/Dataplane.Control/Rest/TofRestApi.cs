using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Logging;
using Dataplane.Control.Socket;

namespace Dataplane.Control.Rest;

/// <summary>
/// The TOF REST API's routes, independent of the transport: /service and /service/{name} go through
/// <see cref="ControlMethods.Invoke"/> (service.*), so REST mutations are checked in full before anything changes,
/// serialised with the socket's and journaled; /tunnel reads <see cref="ControlContext.TofTunnels"/>; /openapi.json is
/// the hand-written document embedded in this assembly. Authentication is the server's job, before this runs.
/// </summary>
public sealed class TofRestApi(ControlMethods methods)
{
    /// <summary>The REST API's logger (category <c>Dataplane.Control.Rest</c>), from the daemon's logging.</summary>
    public Microsoft.Extensions.Logging.ILogger Logger => methods.Context.Logging.Logger(LogCategories.Rest);

    public const string OpenApiResource = "Dataplane.Control.Rest.openapi.json";

    private static readonly Lazy<string> OpenApi = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(OpenApiResource)
            ?? throw new InvalidOperationException($"resource {OpenApiResource} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The OpenAPI 3.0 document served at GET /openapi.json.</summary>
    public static string OpenApiDocument => OpenApi.Value;

    public RestResponse Handle(RestRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string path = request.Path;
        if (path == "/service")
        {
            return request.Method switch
            {
                "GET" => Call("service.list", null, null),
                "POST" => WithBody(request, body => Call("service.add", Parameters(body), "params")),
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
                return RestResponse.Error(404, $"no such resource: {path}; services are at /service/{{name}}");
            }

            return request.Method switch
            {
                "PUT" => WithBody(request, body => Call("service.update", Parameters(new JsonObject { ["name"] = key, ["service"] = body }), "params.service")),
                "DELETE" => Call("service.remove", Parameters(new JsonObject { ["nameOrServiceIp"] = key }), null),
                _ => NotAllowed("PUT, DELETE"),
            };
        }

        return path switch
        {
            "/tunnel" => request.Method == "GET" ? Tunnels() : NotAllowed("GET"),
            "/openapi.json" => request.Method == "GET" ? new RestResponse(200, OpenApiDocument) : NotAllowed("GET"),
            _ => RestResponse.Error(404, $"no such resource: {path}; see /openapi.json"),
        };
    }

    private RestResponse Tunnels()
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

    /// <summary>
    /// Runs a method; its refusal becomes 400 (bad params), 404 (no such service), 409 (name or serviceIP taken) or 503
    /// (no TOF). The socket's field paths ("params.service.serviceIP") are shown as "body.serviceIP" to REST clients.
    /// </summary>
    private RestResponse Call(string method, JsonElement? parameters, string? bodyPath)
    {
        var log = methods.Context.Logging.Logger(LogCategories.Rest);
        try
        {
            var result = methods.Invoke(method, parameters);
            if (methods.IsMutation(method))
            {
                HttpLog.MutationAccepted(log, method, parameters?.GetRawText() ?? "{}");
            }

            return RestResponse.Json(200, result);
        }
        catch (ControlRpcException e)
        {
            HttpLog.RequestRefused(log, method, e.Message);
            int status = e.Code switch
            {
                JsonRpcErrorCodes.NotFound => 404,
                JsonRpcErrorCodes.Conflict => 409,
                JsonRpcErrorCodes.MethodNotFound => 503,
                JsonRpcErrorCodes.InvalidParams => 400,
                _ => 500,
            };
            return RestResponse.Error(status, bodyPath is not null && e.Message.StartsWith(bodyPath, StringComparison.Ordinal)
                ? "body" + e.Message[bodyPath.Length..]
                : e.Message);
        }
        catch (Exception e)
        {
            // As on the socket (-32603): the journal could not be written, or a bug; the client gets 500, not a dropped connection.
            HttpLog.RequestFailed(log, method, e.GetType().Name, e.Message);
            return RestResponse.Error(500, $"{method}: {e.Message}");
        }
    }

    private static RestResponse WithBody(RestRequest request, Func<JsonNode, RestResponse> handle)
    {
        if (request.Body.Length == 0)
        {
            return RestResponse.Error(400, "body: missing; expected a JSON object {name, serviceIP, applicationIP}");
        }

        if (!JsonStrings.AreDecodable(request.Body))
        {
            return RestResponse.Error(400, "body: a string holds an unpaired UTF-16 surrogate escape");
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(request.Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return RestResponse.Error(400, $"body: not JSON: {e.Message}");
        }

        return body is null ? RestResponse.Error(400, "body: expected an object, got null") : handle(body);
    }

    private static JsonElement Parameters(JsonNode parameters) => JsonSerializer.SerializeToElement(parameters);

    private static RestResponse NotAllowed(string allow) =>
        RestResponse.Error(405, $"method not allowed; allowed: {allow}", KeyValuePair.Create("Allow", allow));
}
