namespace Dataplane.Forwarding.Rules;

/// <summary>Numbers of the classifiers of a rule set, for the flow cache's key (instance tables follow the TOF's four).</summary>
public static class RuleTableId
{
    public const int TofUplink4 = 0;
    public const int TofUplink6 = 1;
    public const int TofDownlink4 = 2;
    public const int TofDownlink6 = 3;
    public const int FirstInstance = 4;
}
