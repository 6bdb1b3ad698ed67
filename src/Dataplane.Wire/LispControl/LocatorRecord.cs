namespace Dataplane.Wire.LispControl;

/// <summary>
/// One locator of a mapping record (RFC 9301 section 5.4):
/// <code>
/// |    Priority   |    Weight     |  M Priority   |   M Weight    |
/// |        Unused Flags     |L|p|R|           Loc-AFI             |
/// |                             Locator                           |
/// </code>
/// L: the locator is local to the sender; p: the sender is answering an RLOC probe through it; R: reachable.
/// </summary>
public sealed record LocatorRecord(byte Priority, byte Weight, byte MulticastPriority, byte MulticastWeight,
    bool Local, bool Probed, bool Reachable, LispAddress Address)
{
    public const byte LocalFlag = 0x04;
    public const byte ProbedFlag = 0x02;
    public const byte ReachableFlag = 0x01;

    /// <summary>Four weight bytes, two flag bytes, an AFI of 0: the least a locator can take.</summary>
    public const int MinimumSize = 8;

    /// <summary>Priority 255: the RLOC must not be used for unicast forwarding (RFC 9301 section 5.4).</summary>
    public const byte UnusablePriority = 255;

    public int Size => 6 + Address.Size;

    internal void Write(ref LispWriter writer)
    {
        writer.Byte(Priority);
        writer.Byte(Weight);
        writer.Byte(MulticastPriority);
        writer.Byte(MulticastWeight);
        writer.Byte(0);
        writer.Byte((byte)((Local ? LocalFlag : 0) | (Probed ? ProbedFlag : 0) | (Reachable ? ReachableFlag : 0)));
        Address.Write(ref writer);
    }

    internal static bool TryRead(ref LispReader reader, string field, out LocatorRecord? locator)
    {
        locator = null;
        if (!reader.TryBytes($"{field} priority/weight/flags", 6, out var head)
            || !LispAddress.TryRead(ref reader, field, out var address))
        {
            return false;
        }

        byte flags = head[5];
        locator = new LocatorRecord(head[0], head[1], head[2], head[3],
            (flags & LocalFlag) != 0, (flags & ProbedFlag) != 0, (flags & ReachableFlag) != 0, address);
        return true;
    }
}
