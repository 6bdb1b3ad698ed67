using System.Text.Json.Nodes;

namespace Dataplane.Control.Socket;

/// <summary>
/// One method of the control socket. <see cref="Prepare"/> reads and checks every parameter against the current state
/// and throws before anything changes; the function it returns does the change (or the read) and gives the result.
/// </summary>
public sealed record ControlMethod(string Name, bool Mutates, Func<ParamReader, Func<JsonNode?>> Prepare);
