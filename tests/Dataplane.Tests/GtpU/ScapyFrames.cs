using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.GtpU;

/// <summary>Builds frames with Scapy (scapy.contrib.gtp included) from Python expressions, one Python run for all of them.</summary>
internal static class ScapyFrames
{
    public static byte[][] Build(params string[] expressions)
    {
        string script = "from scapy.all import *\nfrom scapy.contrib.gtp import *\n"
            + string.Concat(expressions.Select(e => $"print(bytes({e}).hex())\n"));
        return ScapyOracle.Run("-c", script).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => Convert.FromHexString(line.Trim())).ToArray();
    }
}
