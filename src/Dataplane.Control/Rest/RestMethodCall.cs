using System.Text.Json;
using System.Text.Json.Nodes;
using Dataplane.Control.Logging;
using Dataplane.Control.Socket;
using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Rest;

/// <summary>
/// What every REST resource does with a control method: runs it through <see cref="ControlMethods.Invoke"/> (so a
/// REST change is checked, serialised with the socket's and journaled like it), and turns its refusal into a status:
/// 400 bad params, 404 not found, 409 taken, 503 role absent. The socket's field paths ("params.service.serviceIP")
/// are shown as "body.serviceIP" to REST clients.
/// </summary>
internal static class RestMethodCall
{
    public static RestResponse Call(ControlMethods methods, ILogger log, string method, JsonElement? parameters, string? bodyPath)
    {
        try
        {
            var result = methods.Invoke(method, parameters);
            if (methods.IsMutation(method))
            {
                HttpLog.MutationAccepted(log, method, parameters?.GetRawText() ?? "{}");
            }

            return RestResponse.Json(200, result);
        }
        catch (ControlRpcException e)
        {
            HttpLog.RequestRefused(log, method, e.Message);
            int status = e.Code switch
            {
                JsonRpcErrorCodes.NotFound => 404,
                JsonRpcErrorCodes.Conflict => 409,
                JsonRpcErrorCodes.MethodNotFound => 503,
                JsonRpcErrorCodes.InvalidParams => 400,
                _ => 500,
            };
            return RestResponse.Error(status, bodyPath is not null && e.Message.StartsWith(bodyPath, StringComparison.Ordinal)
                ? "body" + e.Message[bodyPath.Length..]
                : e.Message);
        }
        catch (Exception e)
        {
            // As on the socket (-32603): the journal could not be written, or a bug; the client gets 500, not a dropped connection.
            HttpLog.RequestFailed(log, method, e.GetType().Name, e.Message);
            return RestResponse.Error(500, $"{method}: {e.Message}");
        }
    }

    /// <summary>A request body parsed as one JSON value and handed on; 400 naming what is wrong otherwise.</summary>
    /// <param name="expected">What the body should be, for the message when it is missing ("{name, serviceIP, applicationIP}").</param>
    public static RestResponse WithBody(byte[] body, string expected, Func<JsonNode, RestResponse> handle)
    {
        if (body.Length == 0)
        {
            return RestResponse.Error(400, $"body: missing; expected a JSON object {expected}");
        }

        if (!JsonStrings.AreDecodable(body))
        {
            return RestResponse.Error(400, "body: a string holds an unpaired UTF-16 surrogate escape");
        }

        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return RestResponse.Error(400, $"body: not JSON: {e.Message}");
        }

        return parsed is null ? RestResponse.Error(400, "body: expected an object, got null") : handle(parsed);
    }
}
