namespace Dataplane.Control.Socket;

/// <summary>The error codes of JSON-RPC 2.0 (section 5.1 of the specification).</summary>
public static class JsonRpcErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
}
