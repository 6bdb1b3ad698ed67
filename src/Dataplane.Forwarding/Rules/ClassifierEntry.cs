namespace Dataplane.Forwarding.Rules;

/// <summary>
/// One row of a <see cref="RuleClassifier"/>: a range per field (<see cref="RuleField"/>) and the rule it stands for.
/// A rule may give several rows (a service's two addresses ...); rows are ordered by their rule's priority.
/// </summary>
public sealed record ClassifierEntry(int Rule, FieldRange[] Fields)
{
    public bool Matches(in RuleKey key)
    {
        for (int f = 0; f < RuleField.Count; f++)
        {
            if (!Fields[f].Contains(key.Field(f)))
            {
                return false;
            }
        }

        return true;
    }
}
