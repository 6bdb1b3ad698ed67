using System.Text.Json;

namespace Dataplane.Tests.Integration;

/// <summary>
/// The daemon configuration of one VTEP in the namespace tests: access port "acc" and underlay port "und" on
/// AF_PACKET, VNI 100 bridging "acc" to one remote VTEP on 192.0.2.0/24 whose MAC is static.
/// </summary>
public static class VtepTestConfig
{
    public static string Write(string path, string accessMac, string underlayMac, string localVtep, string remoteVtep, string remoteUnderlayMac)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            roles = new[] { "vtep" },
            ports = new object[]
            {
                new { name = "acc", mac = accessMac, driver = "af_packet", @interface = "acc" },
                new { name = "und", mac = underlayMac, addresses = new[] { localVtep }, driver = "af_packet", @interface = "und" },
            },
            neighbours = new[] { new { address = remoteVtep, mac = remoteUnderlayMac, port = "und" } },
            routes = new[] { new { prefix = "192.0.2.0/24", port = "und" } },
            vxlan = new
            {
                localVteps = new[] { localVtep },
                bridgeDomains = new[] { new { vni = 100, ports = new[] { "acc" }, remoteVteps = new[] { remoteVtep } } },
            },
        }));
        return path;
    }
}
