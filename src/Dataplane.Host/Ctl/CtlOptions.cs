using System.Text.Json.Nodes;

namespace Dataplane.Host.Ctl;

/// <summary>The arguments of <c>dataplane ctl</c>: socket, output form, method, and its params (<see cref="CtlParams"/>).</summary>
public sealed record CtlOptions
{
    public const string DefaultSocket = "/run/dataplane/control.sock";

    public string Socket { get; init; } = DefaultSocket;

    public bool Json { get; init; }

    public string Method { get; init; } = "";

    public JsonObject Params { get; init; } = [];
}
