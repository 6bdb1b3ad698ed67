using System.Net.Http.Headers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text;
using Dataplane.Control.Persistence;
using Dataplane.Control.Rest;
using Dataplane.Control.Socket;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Forwarding.Tof;
using Dataplane.Tables.Time;

namespace Dataplane.Tests.Control.Rest;

/// <summary>
/// The REST API on a loopback port over a fresh TofServiceTable (and, with a state directory, a StateStore restored
/// first, as the daemon does), with an HttpClient carrying the token.
/// </summary>
public sealed class RestApiHarness : IDisposable
{
    public const string Token = "test-token-0123456789abcdef";

    private readonly StateStore? store;

    public RestApiHarness(string? stateDirectory = null, ITofTunnelSource? tunnels = null, bool withTof = true, TimeSpan? clientTimeout = null,
        X509Certificate2? certificate = null)
    {
        var plane = ForwardingPlaneBuilder.Build(ControlTestConfig.Config(), new ForwardingPlaneOptions { Clock = new ManualClock(1_000_000_000) });
        Methods = new ControlMethods(plane);
        Services = new TofServiceTable();
        Methods.Context.TofServices = withTof ? Services : null;
        Methods.Context.TofTunnels = tunnels;
        if (stateDirectory is not null)
        {
            store = new StateStore(stateDirectory);
            store.Load(Methods, report => Reports.Add(report));
            Methods.Journal = store;
        }

        Server = new RestApiServer("127.0.0.1", 0, new TofRestApi(Methods), new BearerToken(Token), clientTimeout, certificate);
        Server.Start();
        BaseAddress = new Uri($"{(certificate is null ? "http" : "https")}://127.0.0.1:{Server.Endpoint.Port}");
        Client = NewClient(Token);
    }

    public ControlMethods Methods { get; }

    public TofServiceTable Services { get; }

    public RestApiServer Server { get; }

    public HttpClient Client { get; }

    /// <summary>http://127.0.0.1:PORT, or https:// when serving TLS.</summary>
    public Uri BaseAddress { get; }

    public List<string> Reports { get; } = [];

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A client with this token in the Authorization header, or none when null; over TLS, through <paramref name="handler"/>.</summary>
    public HttpClient NewClient(string? token, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static JsonObject Service(string name, string serviceIp, string applicationIp) =>
        new() { ["name"] = name, ["serviceIP"] = serviceIp, ["applicationIP"] = applicationIp };

    public async Task<(HttpStatusCode Status, JsonNode? Body)> Send(HttpMethod method, string path, string? body = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = Body(body);
        }

        using var response = await (client ?? Client).SendAsync(request, Cancel);
        string text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return (response.StatusCode, JsonNode.Parse(text));
    }

    public Task<(HttpStatusCode Status, JsonNode? Body)> Post(JsonObject service) => Send(HttpMethod.Post, "/service", service.ToJsonString());

    /// <summary>The registered services as GET /service shows them, as one JSON text.</summary>
    public async Task<string> ListText()
    {
        var (status, body) = await Send(HttpMethod.Get, "/service");
        Assert.Equal(HttpStatusCode.OK, status);
        return body!.ToJsonString();
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        store?.Dispose();
    }
}
