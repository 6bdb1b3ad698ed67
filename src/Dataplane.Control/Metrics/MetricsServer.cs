using System.IO.Compression;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Dataplane.Control.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Dataplane.Control.Metrics;

/// <summary>
/// The Prometheus endpoint on Kestrel: GET /metrics answers the text format (gzip when the scraper's Accept-Encoding
/// asks for it, as Prometheus does), any other method 405, any other path 404; keep-alive, so a scraper reuses its
/// connection; optional TLS. What the text says is <paramref name="render"/>'s (<see cref="PrometheusText"/>).
/// </summary>
public sealed class MetricsServer : IDisposable
{
    public const string Path = "/metrics";
    public const int MaxConnections = 16;

    private readonly Func<string> render;
    private readonly HttpEndpointServer server;

    /// <param name="host">An address, a name to resolve, or "*" for every address.</param>
    /// <param name="certificate">Serve HTTPS with this certificate and its key; null for plain HTTP.</param>
    /// <param name="loggerFactory">Where Kestrel logs; none by default.</param>
    public MetricsServer(string host, int port, Func<string> render, X509Certificate2? certificate = null, ILoggerFactory? loggerFactory = null)
    {
        this.render = render ?? throw new ArgumentNullException(nameof(render));
        var settings = new HttpEndpointSettings("control.metricsAddress", host, port, certificate, TimeSpan.FromSeconds(10),
            MaxConnections, MaxHeadBytes: 16 * 1024, MaxBodyBytes: 0);
        server = new HttpEndpointServer(settings, loggerFactory, _ => { }, app => app.Run(Serve));
    }

    /// <summary>Where it listens once started (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint Endpoint => server.Endpoint;

    /// <summary>Binds and serves; a port in use or an address not this host's is a configuration error naming control.metricsAddress.</summary>
    public void Start() => server.Start();

    private async Task Serve(HttpContext context)
    {
        var response = context.Response;
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            response.Headers.Allow = "GET";
            await Text(context, StatusCodes.Status405MethodNotAllowed, "text/plain; charset=utf-8", "only GET\n", compress: false).ConfigureAwait(false);
            return;
        }

        if (context.Request.Path != Path)
        {
            await Text(context, StatusCodes.Status404NotFound, "text/plain; charset=utf-8", "not found; metrics are at /metrics\n", compress: false).ConfigureAwait(false);
            return;
        }

        response.Headers.Vary = HeaderNames.AcceptEncoding;
        await Text(context, StatusCodes.Status200OK, PrometheusText.ContentType, render(), AcceptsGzip(context.Request)).ConfigureAwait(false);
    }

    /// <summary>True when Accept-Encoding lists gzip (or *) with a quality above zero (RFC 9110 section 12.5.3).</summary>
    private static bool AcceptsGzip(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(coding =>
            (coding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Value.Equals("*", StringComparison.Ordinal))
            && coding.Quality is not 0);

    private static async Task Text(HttpContext context, int status, string contentType, string body, bool compress)
    {
        byte[] content = Encoding.UTF8.GetBytes(body);
        if (compress)
        {
            using var zipped = new MemoryStream();
            using (var gzip = new GZipStream(zipped, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(content);
            }

            content = zipped.ToArray();
            context.Response.Headers.ContentEncoding = "gzip";
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = content.Length;
        await context.Response.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
    }

    public void Dispose() => server.Dispose();
}
