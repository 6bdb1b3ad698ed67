using System.Text;

namespace Dataplane.Throughput.Scenarios;

/// <summary>A GTP-U endpoint (192.0.2.1 on N3, 198.51.100.1 on N6) with one tunnel per flow: UE 10.45.0.2 + i, TEID in 0x10000 + i, out 0x20000 + i.</summary>
public static class GtpUConfiguration
{
    public const uint FirstUe = 0x0A2D_0002; // 10.45.0.2
    public const uint FirstTeidIn = 0x1_0000;
    public const uint FirstTeidOut = 0x2_0000;
    public const uint Gnb = 0xC000_020A; // 192.0.2.10
    public const uint Local = 0xC000_0201; // 192.0.2.1

    /// <summary>The configuration with <paramref name="firstPort"/> ("n3" or "n6") first, so it is port 0.</summary>
    public static string Json(int flows, string firstPort)
    {
        var tunnels = new StringBuilder();
        for (int i = 0; i < flows; i++)
        {
            uint ue = FirstUe + (uint)i;
            tunnels.Append(i == 0 ? "" : ",").Append($$"""
                { "name": "ue{{i}}", "localAddress": "192.0.2.1", "peerAddress": "192.0.2.10", "teidIn": {{FirstTeidIn + i}}, "teidOut": {{FirstTeidOut + i}}, "ueAddress": "10.45.{{(ue >> 8) & 0xFF}}.{{ue & 0xFF}}" }
                """);
        }

        string n3 = """{ "name": "n3", "mac": "02:00:00:00:03:01", "mtu": 9000, "addresses": ["192.0.2.1"] }""";
        string n6 = """{ "name": "n6", "mac": "02:00:00:00:06:01", "mtu": 1500, "addresses": ["198.51.100.1"] }""";
        string ports = firstPort == "n3" ? $"{n3},{n6}" : $"{n6},{n3}";
        return $$"""
            {
              "roles": ["gtpu"],
              "ports": [{{ports}}],
              "neighbours": [
                { "address": "192.0.2.10", "mac": "02:00:00:00:0a:0a", "port": "n3" },
                { "address": "198.51.100.254", "mac": "02:00:00:00:06:fe", "port": "n6" }
              ],
              "routes": [
                { "prefix": "192.0.2.0/24", "port": "n3" },
                { "prefix": "0.0.0.0/0", "nextHop": "198.51.100.254", "port": "n6" }
              ],
              "gtpu": { "tunnels": [{{tunnels}}] }
            }
            """;
    }
}
