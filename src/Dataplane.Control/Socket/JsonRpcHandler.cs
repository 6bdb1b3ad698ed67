using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Dataplane.Control.Logging;

namespace Dataplane.Control.Socket;

/// <summary>
/// One JSON-RPC 2.0 request line in, one reply line out. Never throws: a malformed request, an unknown method, bad
/// params or an exception inside a method all become an error object (-32700, -32600, -32601, -32602, -32603).
/// A request without an id is a notification (JSON-RPC 2.0 section 4.1): it runs and gets no reply.
/// </summary>
public sealed class JsonRpcHandler(ControlMethods methods)
{
    /// <summary>The reply line (without newline), or null for a notification.</summary>
    public string? Handle(ReadOnlySpan<byte> line)
    {
        // RFC 8259 section 8.1: JSON text is UTF-8. System.Text.Json does not check the bytes inside strings until a
        // method reads them (GetString throws InvalidOperationException), so invalid text is refused here, up front.
        if (!Utf8.IsValid(line))
        {
            return Error(null, JsonRpcErrorCodes.ParseError, "parse error: the request is not valid UTF-8");
        }

        if (!JsonStrings.AreDecodable(line))
        {
            return Error(null, JsonRpcErrorCodes.ParseError, "parse error: a string holds an unpaired UTF-16 surrogate escape");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException e)
        {
            return Error(null, JsonRpcErrorCodes.ParseError, $"parse error: {e.Message}");
        }

        using (document)
        {
            var request = document.RootElement;
            JsonNode? id = null;
            if (request.ValueKind != JsonValueKind.Object)
            {
                return Error(null, JsonRpcErrorCodes.InvalidRequest, "a request is a JSON object");
            }

            bool hasId = request.TryGetProperty("id", out var idElement);
            if (hasId)
            {
                if (idElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
                {
                    return Error(null, JsonRpcErrorCodes.InvalidRequest, "id must be a string, a number or null");
                }

                id = JsonNode.Parse(idElement.GetRawText());
            }

            if (!request.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
            {
                return Error(id, JsonRpcErrorCodes.InvalidRequest, "\"jsonrpc\" must be \"2.0\"");
            }

            if (!request.TryGetProperty("method", out var methodElement) || methodElement.ValueKind != JsonValueKind.String)
            {
                return Error(id, JsonRpcErrorCodes.InvalidRequest, "\"method\" must be a string");
            }

            string method = methodElement.GetString()!;
            JsonElement? parameters = request.TryGetProperty("params", out var p) && p.ValueKind != JsonValueKind.Null ? p : null;
            string reply;
            var log = methods.Context.Logging.Logger(LogCategories.Socket);
            try
            {
                var result = methods.Invoke(method, parameters);
                reply = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["result"] = result }.ToJsonString();
                if (methods.IsMutation(method))
                {
                    ControlSocketLog.MutationAccepted(log, method, parameters?.GetRawText() ?? "{}");
                }
            }
            catch (ControlRpcException e)
            {
                ControlSocketLog.RequestRefused(log, method, e.Message);
                reply = Error(id, e.Code, e.Message);
            }
            catch (Exception e)
            {
                ControlSocketLog.RequestFailed(log, method, e.GetType().Name, e.Message);
                reply = Error(id, JsonRpcErrorCodes.InternalError, $"{method}: {e.Message}");
            }

            return hasId ? reply : null;
        }
    }

    public static string Error(JsonNode? id, int code, string message) =>
        new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = id,
            ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
        }.ToJsonString();
}
