using System.Text.Json;
using Dataplane.Control.Socket;

namespace Dataplane.Fuzz.Targets;

/// <summary>
/// The control socket's JSON-RPC request parser and every method's parameter validation, on a scratch plane.
/// Whatever arrives: nothing throws out of the handler, a reply is one JSON-RPC 2.0 object, and no request reaches
/// the -32603 "internal error" path (that path means an exception escaped a method's validation).
/// </summary>
public sealed class JsonRpcTarget(ControlMethods methods) : IFuzzTarget
{
    private readonly JsonRpcHandler handler = new(methods);

    public JsonRpcTarget(string repositoryRoot)
        : this(ScratchControlPlane.Methods(repositoryRoot))
    {
    }

    public string Name => "json-rpc";

    /// <summary>Requests answered with a result (the replay tests expect the seed requests to succeed).</summary>
    public long Succeeded { get; private set; }

    public void Execute(ReadOnlySpan<byte> input)
    {
        string? reply = handler.Handle(input);
        if (reply is null)
        {
            return; // a notification, or a request the handler read as one
        }

        using var document = JsonDocument.Parse(reply);
        var root = document.RootElement;
        FuzzInvariantException.Check(root.TryGetProperty("jsonrpc", out var version) && version.ValueEquals("2.0"), "a reply that is not JSON-RPC 2.0: " + reply);
        if (root.TryGetProperty("error", out var error))
        {
            FuzzInvariantException.Check(error.GetProperty("code").GetInt32() != JsonRpcErrorCodes.InternalError, "an internal error: " + reply);
        }
        else
        {
            FuzzInvariantException.Check(root.TryGetProperty("result", out _), "a reply with neither result nor error: " + reply);
            Succeeded++;
        }
    }
}
