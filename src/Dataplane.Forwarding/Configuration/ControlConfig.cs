using System.Globalization;

namespace Dataplane.Forwarding.Configuration;

/// <summary>The "control" section: where <c>dataplane run</c> listens for <c>dataplane ctl</c>, keeps its state, serves metrics.</summary>
public sealed record ControlConfig
{
    /// <summary>Path of the Unix-domain control socket (JSON-RPC 2.0, mode 0660); null = no control socket.</summary>
    public string? Socket { get; init; }

    /// <summary>Directory for journal.jsonl and snapshot.json, so changes made over the socket survive restarts and crashes; null = none.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>"host:port" of the Prometheus endpoint (GET /metrics); null = none.</summary>
    public string? MetricsAddress { get; init; }

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
    }

    /// <summary>"127.0.0.1:9100", "[::1]:9100", "localhost:9100" or "*:9100" (all addresses) as host and port.</summary>
    public static (string Host, int Port) ParseMetricsAddress(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ConfigurationException("control.metricsAddress", $"'{text}' is not host:port (e.g. 127.0.0.1:9100)");
        }

        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new ConfigurationException("control.metricsAddress", $"'{text[(colon + 1)..]}' is not a port (1..65535)");
        }

        if (host.Length == 0 || host.Contains(' ', StringComparison.Ordinal))
        {
            throw new ConfigurationException("control.metricsAddress", $"'{text}' has no host (e.g. 127.0.0.1:9100)");
        }

        return (host, port);
    }
}
