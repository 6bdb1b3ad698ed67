using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Verification;

/// <summary>
/// Traffic rules as boxes in the space of packets: one inclusive range per field (family, source, destination,
/// protocol, source port, destination port, DSCP, direction, service). A packet is one point; a rule matches exactly
/// the points inside its boxes (a TOF rule's UE prefix is folded into the source of its uplink box and the destination
/// of its downlink box, since the UE is that address of the same packet). Ports are what the rule classifier reads: a
/// packet that shows none (not TCP or UDP, a later fragment) has ports 0, so a range that starts at 0 holds it.
/// Subtracting boxes is exact, so "every point of R lies in the boxes of S1..Sk" is a proof that those rules take
/// every packet R would match, not a guess.
/// </summary>
public static class RuleSpace
{
    public const int Dimensions = 9;

    private const int Family = 0;
    private const int Source = 1;
    private const int Destination = 2;
    private const int Protocol = 3;
    private const int SourcePort = 4;
    private const int DestinationPort = 5;
    private const int Dscp = 6;
    private const int Direction = 7;
    private const int Service = 8;

    private static readonly ValueRange AnyV4 = new(0, uint.MaxValue);
    private static readonly ValueRange AnyV6 = new(0, UInt128.MaxValue);

    /// <summary>
    /// The boxes of a rule; none when it can match no packet, with the reason in <paramref name="never"/>.
    /// <paramref name="serviceIds"/> numbers the services the scope's rules name (1..n; 0 is traffic of any other).
    /// </summary>
    public static List<ValueRange[]> Boxes(RuleFacts rule, IReadOnlyDictionary<string, int> serviceIds, out string? never)
    {
        never = null;
        var boxes = new List<ValueRange[]>();
        if (rule.Source is { } s && rule.Destination is { } d && s.Family != d.Family)
        {
            never = $"its source {s} is {FamilyName(s.Family)} and its destination {d} {FamilyName(d.Family)}";
            return boxes;
        }

        var addressFamily = rule.Source?.Family ?? rule.Destination?.Family;
        if (rule.Ue is { } ue && addressFamily is { } family && ue.Family != family)
        {
            never = $"its UE prefix {ue} is {FamilyName(ue.Family)} and the addresses it matches {FamilyName(family)}";
            return boxes;
        }

        // ICMP shows no ports (the classifier reads them as 0): a range without 0 holds no ICMP packet.
        if (rule.Protocol is 1 or 58 && (NoZero(rule.SourcePorts) || NoZero(rule.DestinationPorts)))
        {
            never = $"it asks for ports of protocol {(rule.Protocol == 1 ? "icmp" : "icmpv6")}, which has none";
            return boxes;
        }

        var families = (addressFamily ?? rule.Ue?.Family) is { } one ? [one] : new[] { IpFamily.V4, IpFamily.V6 };
        int services = serviceIds.Count;
        var serviceRange = !rule.IsTof ? ValueRange.Single(0)
            : rule.Service is { } name && serviceIds.TryGetValue(name, out int id) ? ValueRange.Single((UInt128)id)
            : new ValueRange(0, (UInt128)services);
        foreach (var f in families)
        {
            var any = f == IpFamily.V4 ? AnyV4 : AnyV6;
            var box = new ValueRange[Dimensions];
            box[Family] = ValueRange.Single(f == IpFamily.V4 ? 0u : 1u);
            box[Source] = rule.Source?.Range ?? any;
            box[Destination] = rule.Destination?.Range ?? any;
            box[Protocol] = rule.Protocol is { } p ? ValueRange.Single(p) : new ValueRange(0, 255);
            box[SourcePort] = PortDimension(rule.SourcePorts);
            box[DestinationPort] = PortDimension(rule.DestinationPorts);
            box[Dscp] = rule.Dscp is { } dscp ? ValueRange.Single(dscp) : new ValueRange(0, 63);
            box[Service] = serviceRange;
            if (!rule.IsTof)
            {
                box[Direction] = ValueRange.Single(0);
                boxes.Add(box);
                continue;
            }

            foreach (var (direction, value, ueField) in new[] { (RuleDirections.Uplink, 0u, Source), (RuleDirections.Downlink, 1u, Destination) })
            {
                if ((rule.Directions & direction) == 0)
                {
                    continue;
                }

                var half = (ValueRange[])box.Clone();
                half[Direction] = ValueRange.Single(value);
                if (rule.Ue is { } u)
                {
                    half[ueField] = half[ueField].Intersect(u.Range);
                }

                if (!half[ueField].IsEmpty)
                {
                    boxes.Add(half);
                }
            }
        }

        if (boxes.Count == 0)
        {
            never = rule.Directions == RuleDirections.Both
                ? $"its UE prefix {rule.Ue} lies outside its source (uplink) and its destination (downlink)"
                : $"its UE prefix {rule.Ue} lies outside its {(rule.Directions == RuleDirections.Uplink ? "source (uplink)" : "destination (downlink)")}";
        }

        return boxes;
    }

    /// <summary>
    /// <paramref name="boxes"/> minus every box of <paramref name="taken"/>; null when the pieces would exceed
    /// <paramref name="limit"/> or the box operations the <paramref name="budget"/> has left (the caller then draws no
    /// conclusion, which keeps the check sound and its time bounded).
    /// </summary>
    public static List<ValueRange[]>? Subtract(List<ValueRange[]> boxes, List<ValueRange[]> taken, int limit, ref int budget)
    {
        var current = boxes;
        foreach (var cut in taken)
        {
            var next = new List<ValueRange[]>(current.Count);
            foreach (var box in current)
            {
                SubtractOne(box, cut, next);
                if (next.Count > limit || --budget < 0)
                {
                    return null;
                }
            }

            current = next;
        }

        return current;
    }

    private static void SubtractOne(ValueRange[] box, ValueRange[] cut, List<ValueRange[]> into)
    {
        for (int d = 0; d < Dimensions; d++)
        {
            if (box[d].Intersect(cut[d]).IsEmpty)
            {
                into.Add(box);
                return;
            }
        }

        // Peel off, dimension by dimension, the slabs of the box below and above the cut; what is left lies inside it.
        var rest = (ValueRange[])box.Clone();
        for (int d = 0; d < Dimensions; d++)
        {
            if (rest[d].Low < cut[d].Low)
            {
                var below = (ValueRange[])rest.Clone();
                below[d] = new ValueRange(rest[d].Low, cut[d].Low - 1);
                into.Add(below);
                rest[d] = new ValueRange(cut[d].Low, rest[d].High);
            }

            if (rest[d].High > cut[d].High)
            {
                var above = (ValueRange[])rest.Clone();
                above[d] = new ValueRange(cut[d].High + 1, rest[d].High);
                into.Add(above);
                rest[d] = new ValueRange(rest[d].Low, cut[d].High);
            }
        }
    }

    private static bool NoZero(ValueRange? ports) => ports is { } range && range.Low > 0;

    private static ValueRange PortDimension(ValueRange? ports) => ports ?? new ValueRange(0, 65_535);

    private static string FamilyName(IpFamily family) => family == IpFamily.V4 ? "IPv4" : "IPv6";
}
