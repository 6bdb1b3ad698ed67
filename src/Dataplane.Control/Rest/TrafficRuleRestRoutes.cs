using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dataplane.Control.Rest;

/// <summary>/rule and /rule/{name} on the TOF REST API, annotated for the generated OpenAPI document (401 is the server's token check).</summary>
public static class TrafficRuleRestRoutes
{
    public static void Map(IEndpointRouteBuilder routes, TrafficRuleRestApi api, long maxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(api);

        routes.MapGet("/rule", api.List)
            .WithName("listRules").WithTags("rules").WithSummary("The traffic rules by scope and priority, each with its counters")
            .Produces<ListedRuleDocument[]>(200).Errors(401);

        routes.MapPost("/rule", async (HttpRequest request) => await ReadBody(request, maxBodyBytes, api.Add).ConfigureAwait(false))
            .WithName("addRule").WithTags("rules").WithSummary("Adds a traffic rule")
            .Accepts<RuleDocument>("application/json")
            .Produces<RuleDocument>(200).Errors(400, 401, 409);

        routes.MapGet("/rule/{name}", (string name) => api.Get(name))
            .WithName("getRule").WithTags("rules").WithSummary("The traffic rule with this name, with its counters")
            .Produces<ListedRuleDocument>(200).Errors(401, 404);

        routes.MapPut("/rule/{name}", async (string name, HttpRequest request) => await ReadBody(request, maxBodyBytes, body => api.Replace(name, body)).ConfigureAwait(false))
            .WithName("replaceRule").WithTags("rules").WithSummary("Replaces the traffic rule with this name (the body's name may differ: that renames it); its counters start again")
            .Accepts<RuleDocument>("application/json")
            .Produces<RuleDocument>(200).Errors(400, 401, 404, 409);

        routes.MapDelete("/rule/{name}", (string name) => api.Remove(name))
            .WithName("removeRule").WithTags("rules").WithSummary("Removes the traffic rule with this name")
            .Produces<RuleDocument>(200).Errors(401, 404);
    }

    private static async Task<RestResponse> ReadBody(HttpRequest request, long maxBodyBytes, Func<byte[], RestResponse> handle)
    {
        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return RestResponse.Error(400, $"body of more than {maxBodyBytes} bytes is over the {maxBodyBytes}-byte limit");
        }

        return handle(buffer.ToArray());
    }
}
