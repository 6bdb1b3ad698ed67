using System.IO.Compression;
using System.Net;
using System.Text;
using Dataplane.Control.Metrics;
using Dataplane.Forwarding.Configuration;

namespace Dataplane.Tests.Control.Http;

/// <summary>
/// How GET /metrics is served (what it says is PrometheusText's): the Prometheus content type, gzip when asked,
/// keep-alive, 404 and 405, and HTTPS with a certificate curl is told to trust.
/// </summary>
public sealed class MetricsEndpointTests : IDisposable
{
    private const string Exposition = "# HELP dataplane_test_total A counter.\n# TYPE dataplane_test_total counter\ndataplane_test_total{worker=\"0\"} 42\n";
    private readonly MetricsServer server = new("127.0.0.1", 0, () => Exposition);

    public MetricsEndpointTests() => server.Start();

    public void Dispose() => server.Dispose();

    [Fact]
    public async Task Two_scrapes_are_answered_on_one_connection_with_the_prometheus_content_type()
    {
        using var raw = await RawHttp.Connect(server.Endpoint);

        await raw.Send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        var first = await raw.Receive();
        await raw.Send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        var second = await raw.Receive();

        Assert.Equal(200, first!.Value.Status);
        Assert.Contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8", first.Value.Head, StringComparison.Ordinal);
        Assert.Equal(Exposition, first.Value.Body);
        Assert.Equal(200, second!.Value.Status);
        Assert.Equal(Exposition, second.Value.Body);
    }

    [Theory]
    [InlineData("gzip", true)]
    [InlineData("deflate, gzip;q=0.5", true)]
    [InlineData("gzip;q=0", false)]
    [InlineData("identity", false)]
    [InlineData(null, false)]
    public async Task The_exposition_is_gzipped_only_when_accept_encoding_asks(string? acceptEncoding, bool gzipped)
    {
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.Endpoint.Port}/metrics");
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        byte[] content = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(gzipped ? ["gzip"] : [], response.Content.Headers.ContentEncoding);
        Assert.Equal(["Accept-Encoding"], response.Headers.Vary);
        Assert.Equal(Exposition, gzipped ? Gunzip(content) : Encoding.UTF8.GetString(content));
    }

    [Fact]
    public async Task Another_path_is_404_and_another_method_405_with_allow()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{server.Endpoint.Port}") };

        using var missing = await client.GetAsync(new Uri("/other", UriKind.Relative), TestContext.Current.CancellationToken);
        using var posted = await client.PostAsync(new Uri("/metrics", UriKind.Relative), new StringContent("x"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not found; metrics are at /metrics\n", await missing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode);
        Assert.Equal(["GET"], posted.Content.Headers.Allow);
    }

    [Fact]
    public void Curl_scrapes_over_https_trusting_only_the_configured_certificate()
    {
        using var certificate = new TestCertificate();
        var tls = new TlsConfig { Certificate = certificate.CertificatePath, Key = certificate.KeyPath };
        using var secure = new MetricsServer("127.0.0.1", 0, () => Exposition, tls.Load("control.metricsTls"));
        secure.Start();
        string url = $"https://127.0.0.1:{secure.Endpoint.Port}/metrics";

        var scrape = TestCertificate.Run("curl", "-sS", "--compressed", "--cacert", certificate.CertificatePath, "-w", "%{http_code} %{content_type}", url);
        var untrusted = TestCertificate.Run("curl", "-sS", url);

        Assert.True(scrape.ExitCode == 0, scrape.Error);
        Assert.Equal(Exposition + "200 text/plain; version=0.0.4; charset=utf-8", scrape.Output);
        Assert.Equal(60, untrusted.ExitCode);
    }

    private static string Gunzip(byte[] content)
    {
        using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
