using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Dataplane.Control.Rest;

/// <summary>
/// The TOF REST API's routes as minimal-API endpoints, each annotated with its request body and every status it
/// answers, so the generated OpenAPI document (GET /openapi.json) is the API as mapped. The statuses are the ones
/// <see cref="TofRestApi"/> returns; 401 is the server's token check, in front of every route.
/// </summary>
public static class TofRestRoutes
{
    public static void Map(IEndpointRouteBuilder routes, TofRestApi api, long maxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(api);

        routes.MapGet("/service", api.ListServices)
            .WithName("listServices").WithTags("services").WithSummary("The registered services, sorted by name")
            .Produces<ServiceDocument[]>(200).Errors(401, 503);

        routes.MapPost("/service", async (HttpRequest request) => await Read(request, maxBodyBytes, api.AddService).ConfigureAwait(false))
            .WithName("addService").WithTags("services").WithSummary("Registers a service")
            .Accepts<ServiceDocument>("application/json")
            .Produces<ServiceDocument>(200).Errors(400, 401, 409, 503);

        // drain is read as text and checked by UpdateService, so a bad value is one line naming it, not a binding failure.
        routes.MapPut("/service/{name}", async (string name, string? drain, HttpRequest request) =>
                await Read(request, maxBodyBytes, body => api.UpdateService(name, body, drain)).ConfigureAwait(false))
            .WithName("updateService").WithTags("services")
            .WithSummary("Replaces the service with this name (the body's name may differ: that renames it); flows in progress stay on their "
                + "application instance, unless drain=true: then the flows of instances left out or marked drain are balanced again at their next packet")
            .Accepts<ServiceDocument>("application/json")
            .Produces<ServiceDocument>(200).Errors(400, 401, 404, 409, 503);

        routes.MapDelete("/service/{name}", (string name) => api.RemoveService(name))
            .WithName("removeService").WithTags("services").WithSummary("Removes the service with this name, or with this serviceIP (IPv4 or IPv6, any spelling)")
            .Produces<ServiceDocument>(200).Errors(401, 404, 503);

        routes.MapGet("/tunnel", api.Tunnels)
            .WithName("listTunnels").WithTags("tunnels").WithSummary("The GTP-U sessions the TOF has learned from the traffic, by UE address")
            .Produces<TunnelDocument[]>(200).Errors(401, 503);
    }

    /// <summary>The error statuses an endpoint answers, each with the <c>{"error": ...}</c> body.</summary>
    public static RouteHandlerBuilder Errors(this RouteHandlerBuilder endpoint, params int[] statuses)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        foreach (int status in statuses)
        {
            endpoint.Produces<ErrorDocument>(status);
        }

        return endpoint;
    }

    /// <summary>
    /// The whole body (its length was checked against the limit before routing); a body without Content-Length
    /// (HTTP/2) that runs over the limit stops Kestrel's read, and is answered like one announced over it.
    /// </summary>
    private static async Task<RestResponse> Read(HttpRequest request, long maxBodyBytes, Func<byte[], RestResponse> handle)
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
