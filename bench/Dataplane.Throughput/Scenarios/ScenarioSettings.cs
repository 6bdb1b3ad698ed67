namespace Dataplane.Throughput.Scenarios;

/// <summary>What a scenario's tables and frames depend on.</summary>
/// <param name="Prefixes">Map-cache size of the LISP scenarios (the itr_baseline.c generator).</param>
/// <param name="Flows">Distinct flows (5-tuples, TEIDs, UEs, MACs) of the other scenarios.</param>
public sealed record ScenarioSettings(int Prefixes, int Flows = ScenarioSettings.DefaultFlows)
{
    public const int DefaultFlows = 256;
}
