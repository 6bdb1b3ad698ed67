using Dataplane.Runtime.Build;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace Dataplane.Control.Rest;

/// <summary>
/// The OpenAPI 3.0 document of the TOF REST API, generated from the mapped endpoints and their annotations
/// (<see cref="TofRestRoutes"/>); this adds what endpoints cannot say: the title, the product version, and the
/// bearer scheme every operation needs.
/// </summary>
public static class TofOpenApi
{
    public const string BearerScheme = "bearerAuth";

    private const string OperationId = "openApi";

    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_0;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Dataplane TOF API",
                Version = BuildInfo.Version,
                Description = "Registers the edge services of the Traffic Offloading Function (uplink GTP-U traffic from UEs to a service IP is "
                    + "decapsulated, NATed to the application IP and sent out the Apps port; replies go back in the UE's downlink tunnel) and lists "
                    + "the GTP-U tunnels the TOF has learned. Every request needs the bearer token (control.restToken or control.restTokenFile). "
                    + "Changes are applied like the control socket's service.* methods: checked in full first (a refused request changes nothing), "
                    + "serialised, and journaled when control.stateDirectory is set. Bodies are JSON objects of at most 65536 bytes sent with "
                    + "Content-Length; errors are {\"error\": \"...\"}.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "Authorization: Bearer TOKEN, the token of control.restToken or control.restTokenFile",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            // MapOpenApi's handler takes the document's name from the query; this endpoint serves one document only.
            if (operation.OperationId == OperationId)
            {
                operation.Parameters?.Clear();
                operation.Responses?["200"].Description = "This OpenAPI 3.0 document";
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Serves the document at <paramref name="path"/>, itself one of the operations it lists.</summary>
    public static void Map(IEndpointRouteBuilder routes, string path)
    {
        routes.MapOpenApi(path)
            .WithMetadata(new InDescription())
            .WithName(OperationId).WithTags("openapi").WithSummary("This document")
            .WithMetadata(
                new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(object), ["application/json"]),
                new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ErrorDocument), ["application/json"]));
    }

    /// <summary>MapOpenApi leaves its own endpoint out of the document; the TOF API has always listed it.</summary>
    private sealed class InDescription : Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata
    {
        public bool ExcludeFromDescription => false;
    }
}
