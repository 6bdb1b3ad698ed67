using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dataplane.Control.Rest;

/// <summary>A response: status, JSON body, and extra headers (Allow, WWW-Authenticate).</summary>
public sealed record RestResponse(int Status, string Body, IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    // The default encoder escapes ' and + as \u0027 and \u002B (for JSON inside HTML); curl users read these bodies.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static RestResponse Json(int status, JsonNode? body) => new(status, body?.ToJsonString(Readable) ?? "null");

    /// <summary>The error shape of every endpoint: <c>{"error": "what is wrong"}</c>.</summary>
    public static RestResponse Error(int status, string message, params KeyValuePair<string, string>[] headers) =>
        new(status, new JsonObject { ["error"] = message }.ToJsonString(Readable), headers);

    public static string Reason(int status) => status switch
    {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
