using System.Net;
using System.Net.Sockets;
using Dataplane.Forwarding.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dataplane.Control.Http;

/// <summary>
/// One Kestrel web application on one address, owned by the daemon: HTTP/1.1 with keep-alive (and HTTP/2 when TLS
/// lets the client negotiate it), the limits of <see cref="HttpEndpointSettings"/>, Kestrel's own log through the
/// given <see cref="ILoggerFactory"/>, no configuration files, no environment variables, no signal handling.
/// The owner adds its services and builds its pipeline; <see cref="Start"/> binds, and a bind failure is one
/// <see cref="ConfigurationException"/> naming the setting and the address.
/// </summary>
public sealed class HttpEndpointServer : IDisposable
{
    /// <summary>Kestrel's minimum grace period for data rates is over its 1 s heartbeat.</summary>
    private static readonly TimeSpan MinimumGracePeriod = TimeSpan.FromSeconds(2);

    private readonly WebApplication app;
    private readonly HttpEndpointSettings settings;
    private bool started;

    /// <param name="services">Adds what the pipeline needs (OpenAPI, ...) to the application's services.</param>
    /// <param name="pipeline">Builds the middleware and maps the endpoints.</param>
    public HttpEndpointServer(HttpEndpointSettings settings, ILoggerFactory? loggerFactory,
        Action<IServiceCollection> services, Action<WebApplication> pipeline)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(pipeline);
        this.settings = settings;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(HttpEndpointServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration().ConfigureKestrel(Configure);
        builder.Services.AddRouting();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddSingleton<ILoggerFactory>(new PerRequestLogFilter(loggerFactory ?? NullLoggerFactory.Instance));
        services(builder.Services);
        app = builder.Build();
        pipeline(app);
    }

    /// <summary>Where it listens once started (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.None, 0);

    /// <summary>Every endpoint the pipeline mapped, as routing sees them.</summary>
    public IReadOnlyList<Endpoint> Endpoints => [.. ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints)];

    /// <summary>The application's services (the OpenAPI document provider, ...).</summary>
    public IServiceProvider Services => app.Services;

    /// <summary>Binds and starts serving; a port in use or an address that is not this host's is a <see cref="ConfigurationException"/>.</summary>
    public void Start()
    {
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new ConfigurationException(settings.Setting, $"cannot listen on {settings.Host}:{settings.Port}: {Reason(e)}");
        }

        started = true;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        Endpoint = new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }

    private void Configure(KestrelServerOptions kestrel)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxConcurrentConnections = settings.MaxConnections;
        kestrel.Limits.MaxRequestHeadersTotalSize = settings.MaxHeadBytes;
        kestrel.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
        kestrel.Limits.RequestHeadersTimeout = settings.ClientTimeout;
        kestrel.Limits.KeepAliveTimeout = settings.ClientTimeout;
        // A body that trickles in slower than this is cut off (408) once the grace period is over.
        var grace = settings.ClientTimeout > MinimumGracePeriod ? settings.ClientTimeout : MinimumGracePeriod;
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: grace);
        kestrel.Limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: grace);

        void Listen(ListenOptions listen)
        {
            if (settings.Certificate is { } certificate)
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            }
            else
            {
                listen.Protocols = HttpProtocols.Http1;
            }
        }

        if (settings.Host == "*")
        {
            kestrel.ListenAnyIP(settings.Port, Listen);
        }
        else
        {
            kestrel.Listen(ResolveHost(), settings.Port, Listen);
        }
    }

    private IPAddress ResolveHost()
    {
        if (IPAddress.TryParse(settings.Host, out var address))
        {
            return address;
        }

        try
        {
            return Dns.GetHostAddresses(settings.Host).First();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw new ConfigurationException(settings.Setting, $"cannot resolve '{settings.Host}': {e.Message}");
        }
    }

    /// <summary>The innermost message: "Address already in use", "Cannot assign requested address".</summary>
    private static string Reason(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    public void Dispose()
    {
        if (started)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            app.StopAsync(deadline.Token).GetAwaiter().GetResult();
        }

        ((IDisposable)app).Dispose();
    }
}
