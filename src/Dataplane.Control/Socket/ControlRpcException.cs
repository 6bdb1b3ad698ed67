namespace Dataplane.Control.Socket;

/// <summary>A request the control socket refuses, with the JSON-RPC error code and a message naming the problem.</summary>
public sealed class ControlRpcException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;

    /// <summary>-32602 naming the parameter: "params.eid: '10.0.0.0/33' is not a prefix: mask length 33 > 32".</summary>
    public static ControlRpcException InvalidParams(string field, string problem) => new(JsonRpcErrorCodes.InvalidParams, $"{field}: {problem}");
}
