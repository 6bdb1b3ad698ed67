using System.Globalization;
using System.Net;

namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The "flowExport" section: IPFIX (RFC 7011) flow records sent by <c>dataplane run</c>'s control thread to one
/// collector (docs/flow-export.md). Absent = no export. A change takes effect at the next start (a reload reports
/// it as needing a restart).
/// </summary>
public sealed record FlowExportConfig
{
    /// <summary>The collector, "address:port" (an IPv6 address in brackets, "[2001:db8::50]:4739"); required.</summary>
    public string? Collector { get; init; }

    /// <summary>"udp" (RFC 7011 section 10.3), the only transport offered.</summary>
    public string Transport { get; init; } = "udp";

    /// <summary>A flow still active is reported at least this often, in seconds.</summary>
    public int ActiveTimeoutSeconds { get; init; } = 60;

    /// <summary>A flow with no packet for this long is reported as ended (flowEndReason idle timeout), in seconds.</summary>
    public int IdleTimeoutSeconds { get; init; } = 15;

    /// <summary>The templates are sent again this often over UDP (RFC 7011 section 8.4), in seconds.</summary>
    public int TemplateRefreshSeconds { get; init; } = 600;

    /// <summary>The Observation Domain ID of every message (RFC 7011 section 3.1).</summary>
    public uint ObservationDomainId { get; init; } = 1;

    /// <summary>
    /// The IANA Private Enterprise Number of the enterprise-specific elements (the GTP-U TEID and UE address, which
    /// IANA's registry lacks); 32473 is the number RFC 5612 sets aside for documentation, to be replaced by the operator's.
    /// </summary>
    public uint EnterpriseNumber { get; init; } = 32473;

    /// <summary>Most octets of one IPFIX message (the UDP payload), below the path MTU.</summary>
    public int MaxMessageBytes { get; init; } = 1400;

    /// <summary>Entries (flows, tunnels, VNIs, map-cache entries) the exporter tracks at once; past it, new ones are not reported.</summary>
    public int MaxTrackedEntries { get; init; } = 1 << 20;

    /// <summary>Refuses a bad field, naming it ("flowExport.collector").</summary>
    public void Validate()
    {
        _ = CollectorEndPoint();
        if (!string.Equals(Transport, "udp", StringComparison.Ordinal))
        {
            throw new ConfigurationException("flowExport.transport", $"'{Transport}' is not offered: \"udp\" is the only transport");
        }

        Check(ActiveTimeoutSeconds, 1, 86_400, "flowExport.activeTimeoutSeconds");
        Check(IdleTimeoutSeconds, 1, 86_400, "flowExport.idleTimeoutSeconds");
        Check(TemplateRefreshSeconds, 1, 86_400, "flowExport.templateRefreshSeconds");
        Check(MaxMessageBytes, 512, 65_000, "flowExport.maxMessageBytes");
        Check(MaxTrackedEntries, 16, 1 << 24, "flowExport.maxTrackedEntries");
        if (EnterpriseNumber == 0)
        {
            throw new ConfigurationException("flowExport.enterpriseNumber", "0 is reserved: give the operator's IANA Private Enterprise Number (or leave 32473)");
        }
    }

    /// <summary>The collector's address and port, checked.</summary>
    public IPEndPoint CollectorEndPoint()
    {
        const string field = "flowExport.collector";
        if (string.IsNullOrEmpty(Collector))
        {
            throw new ConfigurationException(field, "required: the collector's address:port, e.g. 192.0.2.50:4739");
        }

        int colon = Collector.LastIndexOf(':');
        if (colon <= 0 || colon == Collector.Length - 1 || !ushort.TryParse(Collector.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
        {
            throw new ConfigurationException(field, $"'{Collector}' is not address:port with a port in 1..65535 (e.g. 192.0.2.50:4739)");
        }

        string host = Collector[..colon];
        bool bracketed = host.StartsWith('[') && host.EndsWith(']');
        if (bracketed)
        {
            host = host[1..^1];
        }

        if (!IPAddress.TryParse(host, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != bracketed)
        {
            throw new ConfigurationException(field, $"'{host}' is not an IPv4 address or a bracketed IPv6 address (a name is not resolved)");
        }

        return new IPEndPoint(address, port);
    }

    private static void Check(int value, int min, int max, string field)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(field, $"{value} is outside {min}..{max}");
        }
    }
}
