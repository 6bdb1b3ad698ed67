namespace Dataplane.Throughput.Scenarios;

/// <summary>Every scenario, in report order.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All { get; } =
    [
        new ItrV4Scenario(),
        new ItrV6Scenario(),
        new EtrV4Scenario(),
        new RtrScenario(),
        new VtepEncapScenario(),
        new VtepDecapScenario(),
        new GtpUEncapScenario(),
        new GtpUDecapScenario(),
        new TofOffloadScenario(),
        new TofOffloadExportScenario(),
        new TofOffloadRulesScenario(),
        new NshSffScenario(),
        new TofOffloadClusterScenario(),
    ];

    public static IScenario? Find(string name)
    {
        foreach (var scenario in All)
        {
            if (scenario.Name == name)
            {
                return scenario;
            }
        }

        return null;
    }
}
