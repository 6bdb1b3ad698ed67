namespace Dataplane.Control.Verification;

/// <summary>
/// Traffic rules that can never act: one no packet can match (<see cref="FindingCodes.RuleNeverMatches"/>), and one
/// every packet of which a higher-priority rule of its scope takes first (<see cref="FindingCodes.ShadowedRule"/>), by
/// one rule whose match contains it field by field or by several together (exact, <see cref="RuleSpace"/>). A rule
/// that only counts shadows nothing: the packet goes on past it to the next matching rule.
/// </summary>
public static class RuleShadowCheck
{
    /// <summary>Pieces a rule may be cut into before the check gives up on it (and says nothing about it).</summary>
    public const int PieceLimit = 4096;

    /// <summary>Box operations spent on one rule before the check gives up on it: bounds the time of a large rule set.</summary>
    public const int WorkLimit = 1_000_000;

    public static void Run(IReadOnlyList<RuleFacts> rules, List<VerificationFinding> findings)
    {
        foreach (var scope in rules.GroupBy(r => r.Scope, StringComparer.Ordinal))
        {
            var ordered = scope.OrderByDescending(r => r.Priority).ToList();
            var serviceIds = ordered.Select(r => r.Service).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                .Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i + 1, StringComparer.Ordinal);
            var boxes = ordered.Select(r => RuleSpace.Boxes(r, serviceIds, out _)).ToList();
            for (int k = 0; k < ordered.Count; k++)
            {
                var rule = ordered[k];
                if (boxes[k].Count == 0)
                {
                    RuleSpace.Boxes(rule, serviceIds, out string? never);
                    findings.Add(VerificationFinding.Error(FindingCodes.RuleNeverMatches, rule.Path, $"rule '{rule.Name}' can never match: {never}."));
                    continue;
                }

                if (Shadowers(ordered, boxes, k) is { Count: > 0 } shadowers)
                {
                    findings.Add(VerificationFinding.Error(FindingCodes.ShadowedRule, rule.Path, Describe(rule, shadowers)));
                }
            }
        }
    }

    /// <summary>
    /// The higher-priority terminal rules that take every packet of rule <paramref name="k"/>: one alone when one
    /// does, else all that took a part; empty when some packet still reaches it (or the check gave up).
    /// </summary>
    private static List<RuleFacts> Shadowers(List<RuleFacts> ordered, List<List<ValueRange[]>> boxes, int k)
    {
        var remaining = boxes[k];
        var contributors = new List<int>();
        int budget = WorkLimit;
        for (int j = 0; j < k && remaining.Count > 0; j++)
        {
            if (!ordered[j].Terminal || boxes[j].Count == 0)
            {
                continue;
            }

            var next = RuleSpace.Subtract(remaining, boxes[j], PieceLimit, ref budget);
            if (next is null)
            {
                return [];
            }

            if (!SameBoxes(next, remaining))
            {
                contributors.Add(j);
            }

            remaining = next;
        }

        if (remaining.Count > 0)
        {
            return [];
        }

        foreach (int j in contributors)
        {
            if (RuleSpace.Subtract(boxes[k], boxes[j], PieceLimit, ref budget) is { Count: 0 })
            {
                return [ordered[j]];
            }
        }

        return [.. contributors.Select(j => ordered[j])];
    }

    private static bool SameBoxes(List<ValueRange[]> a, List<ValueRange[]> b) =>
        a.Count == b.Count && a.Zip(b).All(p => ReferenceEquals(p.First, p.Second));

    private static string Describe(RuleFacts rule, List<RuleFacts> shadowers)
    {
        if (shadowers.Count == 1)
        {
            var s = shadowers[0];
            return $"rule '{rule.Name}' (priority {rule.Priority}) never acts: rule '{s.Name}' (priority {s.Priority}, {s.Path}) matches every packet it matches, first.";
        }

        string names = string.Join(", ", shadowers.Select(s => $"'{s.Name}' (priority {s.Priority}, {s.Path})"));
        return $"rule '{rule.Name}' (priority {rule.Priority}) never acts: rules {names} together match every packet it matches, first.";
    }
}
