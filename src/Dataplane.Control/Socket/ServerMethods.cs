using System.Text.Json.Nodes;

namespace Dataplane.Control.Socket;

/// <summary>
/// rpc.describe, which tells a client every method with its parameters (what <c>dataplane ctl help</c> prints), and
/// the description of events.subscribe, which the server answers itself (<see cref="ControlServer"/>) because it
/// belongs to the connection, not to the rule state.
/// </summary>
public static class ServerMethods
{
    public const string Describe = "rpc.describe";

    public const string Subscribe = "events.subscribe";

    public static IEnumerable<ControlMethod> Create(ControlMethods registry)
    {
        yield return new ControlMethod(Describe, false, p =>
        {
            string? name = p.OptionalString("method");
            if (name is not null && registry.Find(name) is null)
            {
                throw ControlRpcException.InvalidParams(p.Field("method"), $"unknown method '{name}'");
            }

            return () => new JsonObject
            {
                ["methods"] = new JsonArray(registry.All.Where(m => name is null || m.Name == name).Select(m => (JsonNode)DescribeMethod(m)).ToArray()),
            };
        })
        {
            Summary = "Every method of the control socket with its parameters (name, type, required, description, example) and whether it changes the rule state.",
            Parameters = [ControlParameter.Optional("method", ControlParameterType.String, "describe only this method", "mapcache.add")],
        };
        yield return new ControlMethod(Subscribe, false, _ =>
            throw new ControlRpcException(JsonRpcErrorCodes.InvalidRequest, $"{Subscribe} belongs to a control socket connection: send it there"))
        {
            Summary = "Subscribe this connection to the daemon's events (GTP-U path changes, ...): each arrives as one JSON-RPC notification line.",
        };
    }

    public static JsonObject DescribeMethod(ControlMethod method) => new()
    {
        ["name"] = method.Name,
        ["mutates"] = method.Mutates,
        ["summary"] = method.Summary,
        ["params"] = new JsonArray(method.Parameters.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Name,
            ["type"] = p.Type,
            ["required"] = p.Required,
            ["description"] = p.Description,
            ["example"] = p.Example?.DeepClone(),
        }).ToArray()),
    };
}
