namespace Dataplane.Control.Socket;

/// <summary>The error codes of JSON-RPC 2.0 (section 5.1 of the specification).</summary>
public static class JsonRpcErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    // Server-defined errors (-32000..-32099, section 5.1), so a client (the REST API) can tell them from bad params.

    /// <summary>The named entry does not exist (service.update, service.remove): HTTP 404.</summary>
    public const int NotFound = -32004;

    /// <summary>The entry's name or key is taken by another (service.add, service.update): HTTP 409.</summary>
    public const int Conflict = -32009;
}
