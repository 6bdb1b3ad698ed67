using System.Globalization;

namespace Dataplane.Forwarding.Configuration;

/// <summary>The "control" section: where <c>dataplane run</c> listens for <c>dataplane ctl</c>, keeps its state, serves metrics and the TOF REST API.</summary>
public sealed record ControlConfig
{
    public const int MinRestTokenLength = 16;

    /// <summary>Path of the Unix-domain control socket (JSON-RPC 2.0, mode 0660); null = no control socket.</summary>
    public string? Socket { get; init; }

    /// <summary>Directory for journal.jsonl and snapshot.json, so changes made over the socket survive restarts and crashes; null = none.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>"host:port" of the Prometheus endpoint (GET /metrics); null = none.</summary>
    public string? MetricsAddress { get; init; }

    /// <summary>Serve the metrics endpoint over HTTPS with this certificate and key; null = plain HTTP.</summary>
    public TlsConfig? MetricsTls { get; init; }

    /// <summary>"host:port" of the TOF REST API (HTTP/1.1, bearer token); null = none.</summary>
    public string? RestAddress { get; init; }

    /// <summary>Serve the REST API over HTTPS with this certificate and key; null = plain HTTP.</summary>
    public TlsConfig? RestTls { get; init; }

    /// <summary>The REST API's bearer token (at least <see cref="MinRestTokenLength"/> characters); or <see cref="RestTokenFile"/>.</summary>
    public string? RestToken { get; init; }

    /// <summary>A file holding the REST API's bearer token (surrounding whitespace ignored), read when the API starts, so the token stays out of the configuration.</summary>
    public string? RestTokenFile { get; init; }

    /// <summary>
    /// The daemon's minimum log level (trace, debug, information, warning, error, critical); null = information.
    /// <c>--log-level</c> wins over it at start; a reload that changes it applies it as log.set-level would.
    /// </summary>
    public string? LogLevel { get; init; }

    /// <summary>Checks every field; a bad one is a <see cref="ConfigurationException"/> naming it ("control.socket").</summary>
    public void Validate()
    {
        if (Socket is not null)
        {
            if (Socket.Length == 0)
            {
                throw new ConfigurationException("control.socket", "an empty path; omit the field for no control socket");
            }

            // sockaddr_un.sun_path is 108 bytes with the terminating NUL.
            if (System.Text.Encoding.UTF8.GetByteCount(Socket) > 107)
            {
                throw new ConfigurationException("control.socket", $"'{Socket}' is longer than the 107 bytes a Unix socket path may have");
            }
        }

        if (StateDirectory is not null && StateDirectory.Length == 0)
        {
            throw new ConfigurationException("control.stateDirectory", "an empty path; omit the field for no persistence");
        }

        if (MetricsAddress is not null)
        {
            ParseMetricsAddress(MetricsAddress);
        }

        ValidateTls(MetricsTls, "control.metricsTls", MetricsAddress, "control.metricsAddress");
        ValidateRest();
        ValidateTls(RestTls, "control.restTls", RestAddress, "control.restAddress");
    }

    /// <summary>The token: <see cref="RestToken"/>, or the checked content of <see cref="RestTokenFile"/>.</summary>
    public string ReadRestToken()
    {
        if (RestToken is not null)
        {
            return RestToken;
        }

        if (RestTokenFile is null)
        {
            throw new ConfigurationException("control.restToken", "the REST API needs a token: set restToken or restTokenFile");
        }

        string token;
        try
        {
            token = File.ReadAllText(RestTokenFile).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException("control.restTokenFile", $"cannot read {RestTokenFile}: {e.Message}");
        }

        return TokenProblem(token) is { } problem ? throw new ConfigurationException("control.restTokenFile", $"{RestTokenFile}: {problem}") : token;
    }

    /// <summary>"127.0.0.1:8080", "[::1]:8080", "localhost:8080" or "*:8080" as host and port.</summary>
    public static (string Host, int Port) ParseRestAddress(string text) => ParseAddress(text, "control.restAddress", 8080);

    private void ValidateRest()
    {
        if (RestToken is not null && TokenProblem(RestToken) is { } problem)
        {
            throw new ConfigurationException("control.restToken", problem);
        }

        if (RestTokenFile is not null && RestTokenFile.Length == 0)
        {
            throw new ConfigurationException("control.restTokenFile", "an empty path");
        }

        if (RestAddress is null)
        {
            if (RestToken is not null || RestTokenFile is not null)
            {
                throw new ConfigurationException(RestToken is not null ? "control.restToken" : "control.restTokenFile", "has no effect without control.restAddress");
            }

            return;
        }

        ParseRestAddress(RestAddress);
        if (RestToken is null && RestTokenFile is null)
        {
            throw new ConfigurationException("control.restToken", "the REST API needs a token: set restToken or restTokenFile");
        }

        if (RestToken is not null && RestTokenFile is not null)
        {
            throw new ConfigurationException("control.restTokenFile", "set restToken or restTokenFile, not both");
        }
    }

    private static void ValidateTls(TlsConfig? tls, string field, string? address, string addressField)
    {
        if (tls is null)
        {
            return;
        }

        if (address is null)
        {
            throw new ConfigurationException(field, $"has no effect without {addressField}");
        }

        tls.Validate(field);
    }

    private static string? TokenProblem(string token) =>
        token.Length < MinRestTokenLength ? $"a token of {token.Length} characters; use at least {MinRestTokenLength} (e.g. openssl rand -hex 32)"
        : token.Any(char.IsWhiteSpace) || token.Any(char.IsControl) ? "a token must not contain whitespace or control characters"
        : null;

    /// <summary>"127.0.0.1:9100", "[::1]:9100", "localhost:9100" or "*:9100" (all addresses) as host and port.</summary>
    public static (string Host, int Port) ParseMetricsAddress(string text) => ParseAddress(text, "control.metricsAddress", 9100);

    private static (string Host, int Port) ParseAddress(string text, string field, int examplePort)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ConfigurationException(field, $"'{text}' is not host:port (e.g. 127.0.0.1:{examplePort})");
        }

        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new ConfigurationException(field, $"'{text[(colon + 1)..]}' is not a port (1..65535)");
        }

        if (host.Length == 0 || host.Contains(' ', StringComparison.Ordinal))
        {
            throw new ConfigurationException(field, $"'{text}' has no host (e.g. 127.0.0.1:{examplePort})");
        }

        return (host, port);
    }
}
