using System.Text.Json.Nodes;
using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Tests.Control.Http;

/// <summary>restTls and metricsTls: the files are read and parsed when the configuration is loaded; each problem names its field.</summary>
public sealed class TlsConfigTests : IDisposable
{
    private readonly TestCertificate certificate = new();

    public void Dispose() => certificate.Dispose();

    [Fact]
    public void A_certificate_and_its_key_load_for_both_endpoints()
    {
        var plane = Build(Tls(certificate.CertificatePath, certificate.KeyPath), Tls(certificate.CertificatePath, certificate.KeyPath));

        Assert.NotNull(plane);
        using var loaded = new TlsConfig { Certificate = certificate.CertificatePath, Key = certificate.KeyPath }.Load("control.restTls");
        Assert.True(loaded.HasPrivateKey);
        Assert.Equal("CN=dataplane-test", loaded.Subject);
    }

    [Theory]
    [InlineData("rest", "missing-certificate", "control.restTls.certificate", "cannot read")]
    [InlineData("rest", "missing-key", "control.restTls.key", "cannot read")]
    [InlineData("metrics", "missing-certificate", "control.metricsTls.certificate", "cannot read")]
    [InlineData("rest", "certificate-not-pem", "control.restTls.certificate", "is not a PEM certificate")]
    [InlineData("rest", "key-not-pem", "control.restTls.key", "is not a PEM private key of the certificate")]
    [InlineData("metrics", "key-of-another-certificate", "control.metricsTls.key", "is not a PEM private key of the certificate")]
    [InlineData("rest", "no-key-field", "control.restTls.key", "missing")]
    [InlineData("metrics", "no-certificate-field", "control.metricsTls.certificate", "missing")]
    public void A_tls_file_that_is_missing_or_does_not_parse_is_refused_naming_the_field(string endpoint, string problem, string field, string message)
    {
        string garbage = Path.Combine(certificate.Directory, "garbage.pem");
        File.WriteAllText(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        string missing = Path.Combine(certificate.Directory, "nowhere.pem");
        JsonObject tls = problem switch
        {
            "missing-certificate" => Tls(missing, certificate.KeyPath),
            "missing-key" => Tls(certificate.CertificatePath, missing),
            "certificate-not-pem" => Tls(garbage, certificate.KeyPath),
            "key-not-pem" => Tls(certificate.CertificatePath, certificate.CertificatePath),
            "key-of-another-certificate" => Tls(certificate.CertificatePath, certificate.OtherKey()),
            "no-key-field" => new JsonObject { ["certificate"] = certificate.CertificatePath },
            _ => new JsonObject { ["key"] = certificate.KeyPath },
        };

        var error = Assert.Throws<ConfigurationException>(() => endpoint == "rest" ? Build(tls, null) : Build(null, tls));

        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_without_its_address_is_refused()
    {
        var json = ControlTestConfig.Json();
        json["control"] = new JsonObject { ["metricsTls"] = Tls(certificate.CertificatePath, certificate.KeyPath) };

        var error = Assert.Throws<ConfigurationException>(() => ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.ToJsonString())));

        Assert.Equal("control.metricsTls", error.Field);
        Assert.Contains("has no effect without control.metricsAddress", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_tls_field_is_refused()
    {
        var json = ControlTestConfig.Json();
        var tls = Tls(certificate.CertificatePath, certificate.KeyPath);
        tls["password"] = "x";
        json["control"] = new JsonObject { ["metricsAddress"] = "127.0.0.1:9100", ["metricsTls"] = tls };

        var error = Assert.Throws<ConfigurationException>(() => DataplaneConfigFile.Parse(json.ToJsonString()));

        Assert.Equal("control.metricsTls.password", error.Field);
    }

    private static JsonObject Tls(string certificatePath, string keyPath) => new() { ["certificate"] = certificatePath, ["key"] = keyPath };

    private static ForwardingPlane Build(JsonObject? restTls, JsonObject? metricsTls)
    {
        var json = ControlTestConfig.Json();
        var control = new JsonObject { ["metricsAddress"] = "127.0.0.1:9100", ["restAddress"] = "127.0.0.1:8080", ["restToken"] = "0123456789abcdef0123" };
        if (restTls is not null)
        {
            control["restTls"] = restTls;
        }

        if (metricsTls is not null)
        {
            control["metricsTls"] = metricsTls;
        }

        json["control"] = control;
        return ForwardingPlaneBuilder.Build(DataplaneConfigFile.Parse(json.ToJsonString()));
    }
}
