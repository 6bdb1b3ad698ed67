using System.Text.Json.Nodes;

namespace Dataplane.Control.Socket;

/// <summary>
/// One method of the control socket. <see cref="Prepare"/> reads and checks every parameter against the current state
/// and throws before anything changes; the function it returns does the change (or the read) and gives the result.
/// <see cref="Summary"/> and <see cref="Parameters"/> describe it to clients (rpc.describe, <c>dataplane ctl help</c>);
/// the parameters are also the only ones the method is handed (<see cref="ControlMethods"/> refuses any other), so a
/// description cannot leave one out.
/// </summary>
public sealed record ControlMethod(string Name, bool Mutates, Func<ParamReader, Func<JsonNode?>> Prepare)
{
    public string Summary { get; init; } = "";

    public IReadOnlyList<ControlParameter> Parameters { get; init; } = [];
}
