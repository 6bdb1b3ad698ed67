using System.Text;
using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;
using Dataplane.Tests.Wire.LispControl;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// The AFL seed corpus (fuzz/corpus/TARGET) and the inputs AFL found (fuzz/regressions/TARGET). The corpus is
/// generated from the same sources the in-process fuzzers seed from (golden frames, RFC vectors, requests, captures):
/// DATAPLANE_FUZZ_WRITE_SEEDS=1 rewrites it (scripts/fuzz --write-seeds). Every file of both trees is replayed through
/// the uninstrumented targets, so an input that once crashed stays a test.
/// </summary>
public class FuzzCorpusTests
{
    private const int FramesPerGoldenCase = 3;
    private const int GoldenCapturesInCorpus = 4;

    public static string CorpusRoot => Path.Combine(RepositoryPaths.Root, "fuzz", "corpus");

    public static string RegressionRoot => Path.Combine(RepositoryPaths.Root, "fuzz", "regressions");

    /// <summary>The distinct ICMP error triggers come first in their family (the flood that follows repeats one packet).</summary>
    private const int IcmpTriggerSeeds = 24;

    public static TheoryData<string> Families() => new(FuzzTargets.Families);

    /// <summary>Every target's seeds by file name: what fuzz/corpus must hold.</summary>
    public static Dictionary<string, SortedDictionary<string, byte[]>> SeedSources()
    {
        var seeds = new Dictionary<string, SortedDictionary<string, byte[]>>(StringComparer.Ordinal);
        var wire = seeds["wire"] = new(StringComparer.Ordinal);
        var cases = WireTarget.GoldenCaseNames(RepositoryPaths.Root);
        for (int i = 0; i < cases.Count; i++)
        {
            var frames = CaptureFrames.Read(new GoldenCase(cases[i]).InputPath);
            for (int n = 0; n < Math.Min(FramesPerGoldenCase, frames.Count); n++)
            {
                wire[$"{i:D3}-{cases[i]}-{n + 1}"] = WireTarget.Input(i, frames[n]);
            }
        }

        // The hostile fragments, sent to the ETR they are addressed to, so the fuzzer starts inside the reassembly table.
        foreach (string family in WireFuzzTests.FragmentFamilies)
        {
            int index = cases.IndexOf(Hostile.HostileCorpus.Families[family].Config);
            var frames = CaptureFrames.Read(Hostile.HostileCorpus.PcapPath(family));
            for (int n = 0; n < frames.Count; n++)
            {
                wire[$"{family}-{n + 1:D2}"] = WireTarget.Input(index, frames[n]);
            }
        }

        // The ICMP error triggers of the hostile corpus (packets no error may answer, and one that gets an error), to
        // the configuration they are addressed to: the rules and the error writer start from every edge case.
        var icmpTriggers = Hostile.HostileCorpus.Families["icmp-error-triggers"];
        int icmpCase = cases.IndexOf(icmpTriggers.Config);
        var triggers = CaptureFrames.Read(Hostile.HostileCorpus.PcapPath("icmp-error-triggers"));
        for (int n = 0; n < Math.Min(IcmpTriggerSeeds, triggers.Count); n++)
        {
            wire[$"{icmpCase:D3}-icmp-error-triggers-{n + 1}"] = WireTarget.Input(icmpCase, triggers[n]);
        }

        seeds["lisp-control"] = new(StringComparer.Ordinal)
        {
            ["map-request"] = LispControlVectors.MapRequestBytes,
            ["map-reply"] = LispControlVectors.PositiveMapReplyBytes,
            ["map-reply-negative"] = LispControlVectors.NegativeMapReplyBytes,
            ["map-register-sha1"] = LispControlVectors.MapRegisterSha1Unsigned,
            ["map-register-sha256"] = LispControlVectors.MapRegisterSha256Unsigned,
            ["map-notify-sha1"] = LispControlVectors.MapNotifySha1Unsigned,
            ["change-priority-sha1"] = LispControlVectors.ChangePrioritySha1Unsigned,
            ["change-priority-legacy-type5"] = LispControlVectors.LegacyChangePrioritySha1Unsigned,
            ["ecm-map-request"] = LispControlVectors.EcmAroundMapRequest,
            ["info-request-oor"] = NatTraversalCodecTests.OorInfoRequest,
            ["info-reply-oor"] = NatTraversalCodecTests.OorInfoReply,
            ["ecm-map-register-oor"] = NatTraversalCodecTests.OorEncapsulatedMapRegister,
        };

        var capture = seeds["capture"] = new(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "pcaps"), "*.pcap*"))
        {
            capture[Path.GetFileName(file)] = File.ReadAllBytes(file);
        }

        foreach (string name in cases.Take(GoldenCapturesInCorpus))
        {
            capture[$"golden-{name}.pcap"] = File.ReadAllBytes(new GoldenCase(name).InputPath);
        }

        seeds["json-rpc"] = Numbered(ControlRpcFuzzTests.RequestSeeds(), "request");
        seeds["rest"] = Numbered(ControlRpcFuzzTests.RestSeeds(), "selector-body");
        seeds["selftest"] = new(StringComparer.Ordinal) { ["coal"] = Encoding.ASCII.GetBytes("COAL") };
        return seeds;
    }

    [Fact]
    public void The_committed_corpus_is_what_the_seed_sources_give()
    {
        var sources = SeedSources();
        if (Environment.GetEnvironmentVariable("DATAPLANE_FUZZ_WRITE_SEEDS") == "1")
        {
            WriteCorpus(sources);
        }

        foreach (var (target, seeds) in sources)
        {
            string directory = Path.Combine(CorpusRoot, target);
            Assert.True(Directory.Exists(directory), $"{directory} is missing: run scripts/fuzz --write-seeds");
            var committed = Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.True(seeds.Keys.SequenceEqual(committed), $"fuzz/corpus/{target} differs from its sources: run scripts/fuzz --write-seeds");
            foreach (var (name, bytes) in seeds)
            {
                Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(directory, name))), $"fuzz/corpus/{target}/{name} differs from its source: run scripts/fuzz --write-seeds");
            }
        }

        long total = Directory.GetFiles(CorpusRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(total < 1_000_000, $"the seed corpus must stay small, it is {total} bytes");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Every_corpus_and_regression_input_keeps_the_invariants(string family)
    {
        var target = FuzzTargets.Create(family, RepositoryPaths.Root);
        var files = Directory.GetFiles(Path.Combine(CorpusRoot, family))
            .Concat(Directory.Exists(Path.Combine(RegressionRoot, family)) ? Directory.GetFiles(Path.Combine(RegressionRoot, family)) : [])
            .Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);

        foreach (string file in files)
        {
            var exception = Record.Exception(() => target.Execute(File.ReadAllBytes(file)));
            Assert.True(exception is null, $"{Path.GetRelativePath(RepositoryPaths.Root, file)}: {exception}");
        }

        // The seeds are valid inputs, so each family must have got past its parsers on some of them.
        switch (target)
        {
            case LispControlTarget lisp:
                Assert.True(lisp.Parsed >= 6, $"the RFC vectors must parse, {lisp.Parsed} did");
                break;
            case CaptureTarget capture:
                Assert.True(capture.Records > 0, "the seed captures must yield records");
                break;
            case JsonRpcTarget jsonRpc:
                Assert.True(jsonRpc.Succeeded > 0, "the seed requests must succeed");
                break;
            case RestTarget rest:
                Assert.True(rest.Accepted > 0, "the seed bodies must be accepted");
                break;
        }
    }

    [Fact]
    public void The_planted_selftest_crash_fires_only_on_its_prefix()
    {
        var target = FuzzTargets.Create("selftest", RepositoryPaths.Root);

        target.Execute("COAL"u8);
        target.Execute("CRAB"u8);
        target.Execute("CR"u8);
        Assert.Throws<FuzzInvariantException>(() => target.Execute("CRSH"u8));
    }

    private static SortedDictionary<string, byte[]> Numbered(List<byte[]> inputs, string label) =>
        new(inputs.Select((bytes, i) => (Name: $"{i:D3}-{label}", bytes)).ToDictionary(s => s.Name, s => s.bytes), StringComparer.Ordinal);

    private static void WriteCorpus(Dictionary<string, SortedDictionary<string, byte[]>> sources)
    {
        foreach (var (target, seeds) in sources)
        {
            string directory = Path.Combine(CorpusRoot, target);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            Directory.CreateDirectory(directory);
            foreach (var (name, bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(directory, name), bytes);
            }
        }
    }
}
