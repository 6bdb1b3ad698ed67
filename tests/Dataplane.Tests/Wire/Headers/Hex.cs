namespace Dataplane.Tests.Wire.Headers;

/// <summary>Test vectors are written as spaced hex, the way Wireshark, tshark and Scapy's hexdump print them.</summary>
internal static class Hex
{
    public static byte[] Bytes(string spacedHex) => Convert.FromHexString(spacedHex.Replace(" ", "").Replace("\n", "").Replace("\r", ""));
}
