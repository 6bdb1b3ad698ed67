using Dataplane.Forwarding.Configuration;
using Dataplane.Forwarding.Counters;
using Dataplane.Forwarding.Pipeline;
using Dataplane.Ports.Pcap;
using Dataplane.Ports.Replay;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Fragments;

/// <summary>
/// Outer fragments at every decapsulating endpoint (ETR over IPv4 and IPv6, VTEP L2 / L3 / GPE, GTP-U): the input of
/// a golden case, each frame's outer packet fragmented by Scapy (fragment(), fragment6()) as an underlay router
/// would (only those addressed to the endpoint: transit fragments are routed as fragments), in order and last
/// fragment first, must come out exactly as the golden case's expected frames (which
/// Scapy built from the whole packets), with every fragment accounted for.
/// </summary>
public sealed class OuterFragmentReassemblyTests : IDisposable
{
    private const int FragmentPayload = 32;

    private readonly string scratch = Directory.CreateTempSubdirectory("dataplane-fragments-").FullName;

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (string name in new[] { "etr-v4-in-v4", "etr-v4-in-v6", "etr-v6-in-v4", "etr-v6-in-v6", "vtep-l2-decap", "vtep-l3-decap", "vtep-gpe-decap", "gtpu-decap" })
        {
            cases.Add(name, "forward");
            cases.Add(name, "reverse");
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Scapy_fragments_of_tunnel_packets_decapsulate_as_the_whole_packets_do(string name, string order)
    {
        var goldenCase = new GoldenCase(name);
        var config = DataplaneConfigFile.Load(goldenCase.ConfigPath);
        string fragments = Path.Combine(scratch, "fragments.pcap");
        string endpoints = string.Join(",", config.Ports.SelectMany(p => p.Addresses).Concat(config.Lisp?.LocalRlocs.Select(r => r.Address) ?? []));
        string[] printed = ScapyOracle.Run(Path.Combine(RepositoryPaths.Root, "tests", "Dataplane.Tests", "Fragments", "outer_fragments.py"),
            goldenCase.InputPath, fragments, FragmentPayload.ToString(System.Globalization.CultureInfo.InvariantCulture), order, endpoints).Split(' ');
        long written = long.Parse(printed[0], System.Globalization.CultureInfo.InvariantCulture);
        long cut = long.Parse(printed[1], System.Globalization.CultureInfo.InvariantCulture);
        long frames = CaptureFrames.Read(goldenCase.InputPath).Count;
        Assert.True(cut > 0, $"{name}: Scapy cut none of its frames");

        string outPath = Path.Combine(scratch, "out.pcap");
        var clock = new ReplayClock();
        var plane = ForwardingPlaneBuilder.Build(config, new ForwardingPlaneOptions { Clock = clock, NonceSeed = 1 });
        ReplayResult result;
        using (var input = File.OpenRead(fragments))
        using (var output = new PcapWriter(outPath, CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        using (var punts = new PcapWriter(Path.Combine(scratch, "punt.pcap"), CaptureLinkType.Ethernet, PcapTimestampPrecision.Nanoseconds))
        {
            result = new PcapReplay(plane, clock).Run(input, output, punts);
        }

        var counters = result.Counters;
        string table = counters.ToTable();
        Assert.Null(result.InputError);
        CaptureFrames.AssertEqual(CaptureFrames.Read(goldenCase.ExpectedPath), CaptureFrames.Read(outPath), $"{name} ({order}) transmitted");
        Assert.True(counters.IsConserved, table);
        Assert.Equal(written, counters.Received);

        // Each cut frame came in as several fragments: all but the completing one were held, then it left whole.
        long held = written - frames;
        Assert.True(held == counters.Dropped(DropReason.FragmentHeldForReassembly), table);
        Assert.True(cut == counters.Counted(ForwardingEvent.FragmentsReassembled), table);
        Assert.Equal(0, counters.Counted(ForwardingEvent.ReassemblyAbandoned));
        Assert.Equal(0, counters.Counted(ForwardingEvent.ReassemblyTimedOut));
        var expected = goldenCase.ReadExpectedCounters();
        if (expected is not null)
        {
            Assert.True(expected.Transmitted == counters.Transmitted, table);
            Assert.True(expected.Punted == counters.Punted, table);
        }
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
