using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Dataplane.Control.Rest;

/// <summary>A response: status, JSON body, and extra headers (Allow, WWW-Authenticate); written as it is by Kestrel.</summary>
public sealed record RestResponse(int Status, string Body, IReadOnlyList<KeyValuePair<string, string>>? Headers = null) : IResult
{
    public const string ContentType = "application/json; charset=utf-8";

    // The default encoder escapes ' and + as \u0027 and \u002B (for JSON inside HTML); curl users read these bodies.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static RestResponse Json(int status, JsonNode? body) => new(status, body?.ToJsonString(Readable) ?? "null");

    /// <summary>The error shape of every endpoint: <c>{"error": "what is wrong"}</c>.</summary>
    public static RestResponse Error(int status, string message, params KeyValuePair<string, string>[] headers) =>
        new(status, new JsonObject { ["error"] = message }.ToJsonString(Readable), headers);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        byte[] content = Encoding.UTF8.GetBytes(Body);
        response.StatusCode = Status;
        response.ContentType = ContentType;
        response.ContentLength = content.Length;
        response.Headers.CacheControl = "no-store";
        foreach (var (name, value) in Headers ?? [])
        {
            response.Headers[name] = value;
        }

        await response.Body.WriteAsync(content, httpContext.RequestAborted).ConfigureAwait(false);
    }
}
