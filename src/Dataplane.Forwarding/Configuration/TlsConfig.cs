using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// A certificate and its private key, PEM files, for serving HTTPS (the REST API's <c>restTls</c>, the metrics
/// endpoint's <c>metricsTls</c>). Both are read and checked when the configuration is loaded, so a missing file, a
/// file that does not parse or a key that is not the certificate's stops the daemon before anything starts.
/// </summary>
public sealed record TlsConfig
{
    /// <summary>PEM file with the server certificate first, then any intermediate certificates it needs.</summary>
    public string? Certificate { get; init; }

    /// <summary>PEM file with the certificate's private key (PKCS#8, PKCS#1 or SEC1, unencrypted).</summary>
    public string? Key { get; init; }

    /// <summary>Checks both files; <paramref name="field"/> is where this object sits ("control.restTls").</summary>
    public void Validate(string field) => Load(field).Dispose();

    /// <summary>The certificate with its key; a <see cref="ConfigurationException"/> naming the file's field when it cannot be used.</summary>
    public X509Certificate2 Load(string field)
    {
        string certificateText = Read(Certificate, $"{field}.certificate");
        string keyText = Read(Key, $"{field}.key");
        try
        {
            X509Certificate2.CreateFromPem(certificateText).Dispose();
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException($"{field}.certificate", $"{Certificate} is not a PEM certificate: {e.Message}");
        }

        try
        {
            return X509Certificate2.CreateFromPem(certificateText, keyText);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ConfigurationException($"{field}.key", $"{Key} is not a PEM private key of the certificate {Certificate}: {e.Message}");
        }
    }

    private static string Read(string? path, string field)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ConfigurationException(field, "missing; TLS needs a certificate and a key, both PEM files");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(field, $"cannot read {path}: {e.Message}");
        }
    }
}
