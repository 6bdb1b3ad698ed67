using System.Text.Json.Nodes;

namespace Dataplane.Control.Socket;

/// <summary>
/// One parameter of a control method as rpc.describe reports it: its name, its JSON type (<see cref="ControlParameterType"/>),
/// whether it must be given, what it means, and a value it accepts (shown by <c>dataplane ctl help METHOD</c>).
/// </summary>
public sealed record ControlParameter(string Name, string Type, bool Required, string Description, JsonNode? Example)
{
    public static ControlParameter Mandatory(string name, string type, string description, JsonNode? example) => new(name, type, true, description, example);

    public static ControlParameter Optional(string name, string type, string description, JsonNode? example) => new(name, type, false, description, example);
}
