using System.Globalization;
using System.Text;
using Dataplane.Wire.Addresses;

namespace Dataplane.Tests.Integration.Interop;

/// <summary>
/// An Open Overlay Router configuration file (libconfuse syntax, keys of oor/oor.conf.example), for an xTR or a
/// map-server. Debug level 3 always: the tests read OOR's state from its log (every control message in and out at
/// level 1-2, the map-cache and the map-server's registered sites dumped at level 3 whenever they change).
/// </summary>
public sealed class OorConfig
{
    /// <summary>OOR supports only this key type: HMAC-SHA-1-96 (it still sends 20 bytes of authentication data).</summary>
    public const int HmacSha1KeyType = 1;

    private OorConfig(string operatingMode) => OperatingMode = operatingMode;

    public string OperatingMode { get; }

    /// <summary>MS: the interface its control messages come in and go out of.</summary>
    public string? ControlInterface { get; init; }

    /// <summary>xTR: its EID prefixes, each with the RLOC taken from an interface (so changing that address moves the locator).</summary>
    public List<(string EidPrefix, string RlocInterface)> DatabaseMappings { get; } = [];

    public List<(string EidPrefix, string Rloc)> StaticMapCache { get; } = [];

    public string? MapResolver { get; set; }

    public List<(string Address, string Key, bool ProxyReply)> MapServers { get; } = [];

    /// <summary>xTR: behind a NAT (nat_traversal_support): Info-Request, then registration and all traffic through an RTR.</summary>
    public bool NatTraversal { get; set; }

    /// <summary>Seconds between RLOC probes; 0 turns probing off.</summary>
    public int ProbeIntervalSeconds { get; set; }

    /// <summary>MS: the sites it accepts registrations from (any prefix inside, key type 1).</summary>
    public List<(string EidPrefix, string Key)> Sites { get; } = [];

    public static OorConfig Xtr() => new("xTR");

    public static OorConfig MapServer(string controlInterface) => new("MS") { ControlInterface = controlInterface };

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("debug = 3");
        text.AppendLine(CultureInfo.InvariantCulture, $"operating-mode = {OperatingMode}");
        if (ControlInterface is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"control-iface = {ControlInterface}");
        }

        foreach (var (prefix, key) in Sites)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"lisp-site {{\n  eid-prefix = {prefix}\n  key-type = {HmacSha1KeyType}\n  key = {key}\n  iid = 0\n  accept-more-specifics = true\n  proxy-reply = false\n}}");
        }

        if (OperatingMode != "xTR")
        {
            return text.ToString();
        }

        text.AppendLine("encapsulation = LISP");
        if (NatTraversal)
        {
            text.AppendLine("nat_traversal_support = on");
        }
        // Retries 2 s apart: a probe the peer does not answer marks its locator down after about 4 s, well inside
        // the test's 30 s, so a mismatch between the two implementations' probe replies cannot go unnoticed.
        text.AppendLine(CultureInfo.InvariantCulture,
            $"rloc-probing {{\n  rloc-probe-interval = {ProbeIntervalSeconds}\n  rloc-probe-retries = 2\n  rloc-probe-retries-interval = 2\n}}");
        if (MapResolver is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"map-resolver = {{\n  {MapResolver}\n}}");
        }

        foreach (var (address, key, proxyReply) in MapServers)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"map-server {{\n  address = {address}\n  key-type = {HmacSha1KeyType}\n  key = {key}\n  proxy-reply = {(proxyReply ? "on" : "off")}\n}}");
        }

        foreach (var (prefix, rlocInterface) in DatabaseMappings)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"database-mapping {{\n  eid-prefix = {prefix}\n  iid = 0\n  ttl = 10\n  rloc-iface {{\n    interface = {rlocInterface}\n    ip_version = 4\n    priority = 1\n    weight = 100\n  }}\n}}");
        }

        foreach (var (prefix, rloc) in StaticMapCache)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"static-map-cache {{\n  eid-prefix = {prefix}\n  iid = 0\n  rloc-address {{\n    address = {rloc}\n    priority = 1\n    weight = 100\n  }}\n}}");
        }

        return text.ToString();
    }
}
