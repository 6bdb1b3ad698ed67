using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Golden;
using Dataplane.Tests.Oracles;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// Wire headers: ClassifyStage and each role's whole pipeline over one mutated frame at a time (every golden case
/// is a role: ITR, ETR, PITR, PETR, RTR, VTEP, GTP-U, ToF), seeded from the case's own input, through the same
/// <see cref="WireTarget"/> AFL runs. Beyond the damage of <see cref="HostileInputTests"/>, the mutator lies in
/// length fields (IPv4 total length, UDP length, IPv6 payload length, GTP-U length) and splices frames. Every packet
/// ends decided under a named reason, conservation holds, no frame reaches outside its buffer, and no buffer leaks.
/// </summary>
public class WireFuzzTests
{
    [Theory]
    [MemberData(nameof(GoldenSuiteTests.Cases), MemberType = typeof(GoldenSuiteTests))]
    public void Each_role_pipeline_survives_mutated_frames(string name)
    {
        var target = new WireTarget(RepositoryPaths.Root, [name]);
        var seeds = CaptureFrames.Read(new GoldenCase(name).InputPath).Select(frame => WireTarget.Input(0, frame)).ToList();

        long executions = FuzzBudget.Run("wire/" + name, seeds, 40_000, input => target.Execute(input));

        Assert.True(executions >= seeds.Count);
    }

    /// <summary>The hostile corpus's fragment families (overlaps, copies, too many, too large, never completed).</summary>
    public static readonly string[] FragmentFamilies = ["fragments-ipv4", "fragments-ipv6"];

    public static TheoryData<string> FragmentFamilyNames() => new(FragmentFamilies);

    /// <summary>
    /// Mutated fragments one after another into one ETR's reassembly table, which keeps what earlier inputs left in it:
    /// offsets, lengths and identifications the mutator changes make overlaps, gaps, copies and completions the seeds
    /// do not have. The target's invariants hold for every one, the completed datagrams included.
    /// </summary>
    [Theory]
    [MemberData(nameof(FragmentFamilyNames))]
    public void Reassembly_survives_mutated_fragments(string family)
    {
        var target = new WireTarget(RepositoryPaths.Root, [Hostile.HostileCorpus.Families[family].Config]);
        var seeds = CaptureFrames.Read(Hostile.HostileCorpus.PcapPath(family)).Select(frame => WireTarget.Input(0, frame)).ToList();

        long executions = FuzzBudget.Run("wire/" + family, seeds, 40_000, input => target.Execute(input));

        Assert.True(executions >= seeds.Count);
    }
}
