using Dataplane.Host.Inspect;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Host;

public class InspectCommandTests
{
    // Our layer names and tshark's protocol names for the same layers (tshark's frame.protocols).
    private static readonly Dictionary<string, string[]> TsharkNames = new()
    {
        ["eth"] = ["eth"], ["vlan"] = ["vlan"], ["qinq"] = ["ieee8021ad", "vlan"], ["arp"] = ["arp"],
        ["ipv4"] = ["ip"], ["ipv6"] = ["ipv6"], ["udp"] = ["udp"], ["tcp"] = ["tcp"], ["icmp"] = ["icmp"],
        ["icmpv6"] = ["icmpv6"], ["lisp"] = ["lisp-data"], ["vxlan"] = ["vxlan"], ["gtpu"] = ["gtp"],
    };

    private static readonly HashSet<string> LayersWeName = [.. TsharkNames.Values.SelectMany(names => names)];

    [Fact]
    public void Embedded_capture_is_dissected_with_the_layers_tshark_sees_and_the_malformed_packets_named()
    {
        var (exitCode, output, error) = RunInspect();

        Assert.Equal(0, exitCode);
        Assert.Equal("", error);
        var tsharkProtocols = TsharkOracle.Fields(RepositoryPaths.Pcap(InspectCommand.EmbeddedCaptureName), "frame.protocols", "ipv6.fraghdr.more", "ip.flags.mf");
        string[] packetLines = output.Split('\n').Where(line => System.Text.RegularExpressions.Regex.IsMatch(line, @"^ *\d+ +\d+  ")).ToArray();
        Assert.Equal(tsharkProtocols.Count, packetLines.Length);

        int compared = 0;
        for (int i = 0; i < packetLines.Length; i++)
        {
            var frame = tsharkProtocols[i];
            bool fragment = frame["ipv6.fraghdr.more"].Length > 0 || frame["ip.flags.mf"].Contains("1");
            if (packetLines[i].Contains('!') || fragment)
            {
                continue; // malformed packets are checked below; tshark does not dissect into fragments, we do
            }

            // tshark follows an ICMP error into the packet it quotes; inspect names the ICMP message and stops.
            var theirs = frame["frame.protocols"][0].Split(':').Where(LayersWeName.Contains).ToList();
            int icmp = theirs.FindIndex(name => name is "icmp" or "icmpv6");
            if (icmp >= 0)
            {
                theirs = theirs[..(icmp + 1)];
            }

            var ours = LayerNames(packetLines[i]).SelectMany(name => TsharkNames[name]).ToList();
            Assert.True(theirs.SequenceEqual(ours), $"packet {i + 1}: tshark [{string.Join(' ', theirs)}], inspect [{string.Join(' ', ours)}]\n{packetLines[i]}");
            compared++;
        }

        Assert.True(compared >= 15, $"only {compared} packets compared with tshark");
        Assert.Contains("23 packets, 18 parsed to the last layer, 5 failed to parse", output);
        Assert.Contains("packet 19: ipv4: truncated: 16 bytes", output);
        Assert.Contains("packet 20: ipv4: IHL 4 is below 5", output);
        Assert.Contains("packet 21: ipv4: total length 400 exceeds", output);
        Assert.Contains("packet 22: udp: length field 200", output);
        Assert.Contains("packet 23: gtpu:", output);
        Assert.Contains("lisp[iid=7 nonce=0xabcdef]", packetLines[1]);
        Assert.Contains("gtpu[g-pdu teid=0x2002 qfi=9 ul]", packetLines[6]);
    }

    [Fact]
    public void The_packets_inspect_rejects_are_the_ones_tshark_flags()
    {
        var (_, output, _) = RunInspect();
        var flaggedByTshark = TsharkOracle.Problems(RepositoryPaths.Pcap(InspectCommand.EmbeddedCaptureName))
            .Select(problem => int.Parse(problem.Split(' ', ':')[1], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        var rejectedByUs = output.Split('\n').Where(line => line.StartsWith("  packet ", StringComparison.Ordinal))
            .Select(line => int.Parse(line.Split(' ', ':')[3], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();

        // tshark does not check the GTP-U extension chain, so it dissects packet 23 without complaint; every other
        // packet we reject, tshark flags too.
        rejectedByUs.Remove(23);
        Assert.NotEmpty(rejectedByUs);
        Assert.Subset(flaggedByTshark, rejectedByUs);
    }

    [Fact]
    public void A_missing_file_is_a_one_line_error_not_a_trace()
    {
        var (exitCode, _, error) = RunInspect("/nonexistent/capture.pcap");
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: /nonexistent/capture.pcap:", error);
        Assert.DoesNotContain(" at ", error);
    }

    [Fact]
    public void A_truncated_file_reports_the_packets_before_it_and_the_offset_of_the_damage()
    {
        string path = Path.Combine(Path.GetTempPath(), $"dataplane-inspect-{Guid.NewGuid():N}.pcap");
        try
        {
            byte[] whole = File.ReadAllBytes(RepositoryPaths.Pcap("mixed.pcap"));
            // 24-byte file header + first record (16-byte record header + 74-byte frame) + 10 bytes of the second record header.
            File.WriteAllBytes(path, whole[..(24 + 16 + 74 + 10)]);
            var (exitCode, output, error) = RunInspect(path);
            Assert.Equal(1, exitCode);
            Assert.Contains("1 packets", output);
            Assert.Contains("offset 114 (0x72)", error);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static IEnumerable<string> LayerNames(string line) =>
        line[13..].Split(' ').Where(token => TsharkNames.ContainsKey(token.Split('[')[0])).Select(token => token.Split('[')[0]);

    private static (int ExitCode, string Output, string Error) RunInspect(params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = InspectCommand.Run(arguments, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
