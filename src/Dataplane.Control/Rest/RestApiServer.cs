using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Serialization;
using Dataplane.Control.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dataplane.Control.Rest;

/// <summary>
/// The TOF REST API on Kestrel: HTTP/1.1 with keep-alive (HTTP/2 too over TLS), optional TLS, and in this order for
/// every request: the bearer token (401 otherwise, before routing, so an unauthenticated client learns nothing, not
/// even which paths exist), the body's framing (Content-Length only, at most <see cref="MaxBodyBytes"/>: 400
/// otherwise), then the routes of <see cref="TofRestRoutes"/> and the OpenAPI document generated from them at
/// GET /openapi.json. Unknown paths are 404 and other methods 405 with Allow, all with the JSON error body.
/// </summary>
public sealed class RestApiServer : IDisposable
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxHeadBytes = 16 * 1024;
    public const int MaxConnections = 64;
    public const string OpenApiPath = "/openapi.json";

    /// <summary>An oversize body up to this size is read and thrown away before the 400, so the client sees the answer, not a reset.</summary>
    private const int MaxDrainBytes = 1024 * 1024;

    private readonly HttpEndpointServer server;
    private readonly BearerToken token;

    /// <param name="host">An address, a name to resolve, or "*" for every address.</param>
    /// <param name="clientTimeout">How long a client may take to send a request head, and how long an idle connection stays open; default 10 s.</param>
    /// <param name="certificate">Serve HTTPS with this certificate and its key; null for plain HTTP.</param>
    /// <param name="loggerFactory">Where Kestrel logs; none by default.</param>
    public RestApiServer(string host, int port, TofRestApi api, BearerToken token, TimeSpan? clientTimeout = null,
        X509Certificate2? certificate = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        this.token = token ?? throw new ArgumentNullException(nameof(token));
        ClientTimeout = clientTimeout ?? TimeSpan.FromSeconds(10);
        var settings = new HttpEndpointSettings("control.restAddress", host, port, certificate, ClientTimeout, MaxConnections, MaxHeadBytes, MaxBodyBytes);
        server = new HttpEndpointServer(settings, loggerFactory, services => services
            .ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict) // integers are JSON numbers, never strings
            .AddOpenApi(TofOpenApi.Configure), app =>
        {
            app.Use(RequireToken);
            app.Use(CheckBodyFraming);
            app.Use(JsonErrorsForUnrouted);
            app.UseRouting();
            TofRestRoutes.Map(app, api, MaxBodyBytes);
            TrafficRuleRestRoutes.Map(app, api.Rules, MaxBodyBytes);
            TofOpenApi.Map(app, OpenApiPath);
        });
    }

    public TimeSpan ClientTimeout { get; }

    /// <summary>Where it listens once started (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint Endpoint => server.Endpoint;

    /// <summary>Every endpoint routing knows, the OpenAPI document's among them.</summary>
    public IReadOnlyList<Endpoint> Endpoints => server.Endpoints;

    /// <summary>Binds and serves; a port in use or an address not this host's is a configuration error naming control.restAddress.</summary>
    public void Start() => server.Start();

    private Task RequireToken(HttpContext context, RequestDelegate next) =>
        token.Accepts(context.Request.Headers.Authorization.ToString() is { Length: > 0 } value ? value : null)
            ? next(context)
            : RestResponse.Error(401, "missing or wrong bearer token (Authorization: Bearer TOKEN)", KeyValuePair.Create("WWW-Authenticate", "Bearer realm=\"dataplane\""))
                .ExecuteAsync(context);

    /// <summary>
    /// Chunked bodies and bodies announced over the limit are refused before any route reads them. An oversize body
    /// is read and dropped first (up to <see cref="MaxDrainBytes"/>) so a client still sending sees the 400 rather
    /// than a reset; one announced with Expect: 100-continue is refused before it is sent.
    /// </summary>
    private static async Task CheckBodyFraming(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (request.Headers.TransferEncoding.Count > 0)
        {
            context.Response.Headers.Connection = "close";
            await RestResponse.Error(400, "chunked bodies are not supported; send Content-Length").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (request.ContentLength is > MaxBodyBytes and long length)
        {
            bool expectsContinue = string.Equals(request.Headers.Expect, "100-continue", StringComparison.OrdinalIgnoreCase);
            if (!expectsContinue && length <= MaxDrainBytes && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxDrainBytes;
                await request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
            }
            else
            {
                context.Response.Headers.Connection = "close";
            }

            await RestResponse.Error(400, $"body of {length} bytes is over the {MaxBodyBytes}-byte limit").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Routing answers an unknown path 404 and a wrong method 405 with Allow but no body: give them the API's JSON error.</summary>
    private static async Task JsonErrorsForUnrouted(HttpContext context, RequestDelegate next)
    {
        await next(context).ConfigureAwait(false);
        var response = context.Response;
        if (response.HasStarted || response.ContentLength is not null)
        {
            return;
        }

        if (response.StatusCode == StatusCodes.Status404NotFound)
        {
            await TofRestApi.NoSuchResource(context.Request.Path.ToString()).ExecuteAsync(context).ConfigureAwait(false);
        }
        else if (response.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            await TofRestApi.NotAllowed(response.Headers.Allow.ToString()).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    public void Dispose() => server.Dispose();
}
