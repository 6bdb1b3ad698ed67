using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Logging;
using Dataplane.Control.Socket;

namespace Dataplane.Control.Rest;

/// <summary>
/// /rule on the TOF REST API: the traffic rules through <see cref="ControlMethods.Invoke"/> (rule.*), so a REST change
/// is checked in full, serialised with the socket's and journaled, and refused with the socket's message, its field
/// named under "body" instead of "params" (400), a taken name or priority 409, a missing rule 404.
/// </summary>
public sealed class TrafficRuleRestApi(ControlMethods methods)
{
    /// <summary>GET /rule: every rule with its counters.</summary>
    public RestResponse List() => Call("rule.list", null, null);

    /// <summary>GET /rule/{name}.</summary>
    public RestResponse Get(string name)
    {
        var listed = List();
        if (listed.Status != 200)
        {
            return listed;
        }

        var rule = JsonNode.Parse(listed.Body)!.AsArray().FirstOrDefault(r => r!["name"]!.GetValue<string>() == name);
        return rule is null ? RestResponse.Error(404, $"no rule named '{name}'") : RestResponse.Json(200, rule.DeepClone());
    }

    /// <summary>POST /rule with this body.</summary>
    public RestResponse Add(byte[] body) => WithBody(body, parsed => Call("rule.add", JsonSerializer.SerializeToElement(parsed), "params"));

    /// <summary>PUT /rule/{name}: replaces it with the body (which may rename it).</summary>
    public RestResponse Replace(string name, byte[] body) =>
        WithBody(body, parsed => Call("rule.replace", JsonSerializer.SerializeToElement(new JsonObject { ["name"] = name, ["rule"] = parsed }), "params.rule"));

    /// <summary>DELETE /rule/{name}.</summary>
    public RestResponse Remove(string name) => Call("rule.remove", JsonSerializer.SerializeToElement(new JsonObject { ["name"] = name }), null);

    private RestResponse Call(string method, JsonElement? parameters, string? bodyPath) =>
        RestMethodCall.Call(methods, methods.Context.Logging.Logger(LogCategories.Rest), method, parameters, bodyPath);

    private static RestResponse WithBody(byte[] body, Func<JsonNode, RestResponse> handle) =>
        RestMethodCall.WithBody(body, "{name, priority, scope, ..., actions}", handle);
}
