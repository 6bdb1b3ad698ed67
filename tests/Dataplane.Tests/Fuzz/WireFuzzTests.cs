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
}
