using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Dataplane.Forwarding.Configuration;
using Dataplane.Tests.Control.Rest;

namespace Dataplane.Tests.Control.Http;

/// <summary>
/// The REST API over TLS with a certificate and key loaded from PEM files as the configuration's restTls names them:
/// curl trusting only that certificate gets the answers (over HTTP/2, which TLS lets it negotiate), HttpClient
/// trusting only it too, and a client that does not trust it is refused.
/// </summary>
public sealed class RestTlsTests : IDisposable
{
    private readonly TestCertificate certificate = new();
    private readonly RestApiHarness api;

    public RestTlsTests()
    {
        var tls = new TlsConfig { Certificate = certificate.CertificatePath, Key = certificate.KeyPath };
        api = new RestApiHarness(certificate: tls.Load("control.restTls"));
    }

    public void Dispose()
    {
        api.Dispose();
        certificate.Dispose();
    }

    [Fact]
    public void Curl_with_the_certificate_as_its_only_ca_registers_and_lists_over_https()
    {
        string url = new Uri(api.BaseAddress, "/service").ToString();
        string body = RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10").ToJsonString();

        var post = TestCertificate.Run("curl", "-sS", "--cacert", certificate.CertificatePath, "-H", $"Authorization: Bearer {RestApiHarness.Token}",
            "-H", "Content-Type: application/json", "-d", body, "-w", "\n%{http_code} %{http_version} %{scheme}", url);
        var list = TestCertificate.Run("curl", "-sS", "--cacert", certificate.CertificatePath, "-H", $"Authorization: Bearer {RestApiHarness.Token}", url);
        var noToken = TestCertificate.Run("curl", "-sS", "--cacert", certificate.CertificatePath, "-o", "/dev/null", "-w", "%{http_code}", url);

        Assert.True(post.ExitCode == 0, post.Error);
        Assert.Equal(body + "\n200 2 HTTPS", post.Output);
        Assert.Equal("[" + body + "]", list.Output);
        Assert.Equal("401", noToken.Output);
    }

    [Fact]
    public void Curl_trusting_only_the_system_store_refuses_the_server()
    {
        var result = TestCertificate.Run("curl", "-sS", "-H", $"Authorization: Bearer {RestApiHarness.Token}", new Uri(api.BaseAddress, "/service").ToString());

        Assert.Equal(60, result.ExitCode); // CURLE_PEER_FAILED_VERIFICATION
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task HttpClient_trusting_only_the_certificate_gets_answers_and_one_trusting_the_system_store_is_refused()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(certificate.CertificatePath);
        using var trusting = api.NewClient(RestApiHarness.Token, TrustingOnly(ca));
        using var system = api.NewClient(RestApiHarness.Token);

        var (status, body) = await api.Send(HttpMethod.Get, "/service", client: trusting);
        var refusal = await Assert.ThrowsAsync<HttpRequestException>(() => system.GetAsync(new Uri("/service", UriKind.Relative), RestApiHarness.Cancel));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("[]", body!.ToJsonString());
        Assert.IsType<AuthenticationException>(refusal.InnerException);
    }

    [Fact]
    public void Plain_http_to_the_tls_port_is_closed_without_an_answer()
    {
        string body = RestApiHarness.Service("video", "198.51.100.10", "10.200.0.10").ToJsonString();

        var result = TestCertificate.Run("curl", "-sS", "-H", $"Authorization: Bearer {RestApiHarness.Token}", "-H", "Content-Type: application/json",
            "-d", body, $"http://127.0.0.1:{api.Server.Endpoint.Port}/service");

        Assert.Equal(52, result.ExitCode); // CURLE_GOT_NOTHING
        Assert.Empty(api.Services.All);
    }

    /// <summary>A handler whose only trust anchor is <paramref name="ca"/> (not the system store).</summary>
    public static SocketsHttpHandler TrustingOnly(X509Certificate2 ca) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, errors) =>
            {
                if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false; // no certificate, or a name that is not 127.0.0.1
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(presented));
            },
        },
    };
}
