namespace Dataplane.Tables.MapCache;

/// <summary>
/// Map-version arithmetic (RFC 9302 section 6): 12-bit serial numbers that wrap, so "newer" is decided on the
/// circle, not by plain comparison. 0 is the Null Map-Version: a mapping without versioning, never ordered
/// against anything, so an update carrying or replacing it is always taken.
/// </summary>
public static class MapVersioning
{
    public const ushort Null = 0;

    private const int Modulus = 1 << 12;

    private const int Half = Modulus / 2;

    /// <summary>True when <paramref name="candidate"/> should replace <paramref name="current"/>.</summary>
    public static bool IsNewer(ushort candidate, ushort current)
    {
        if (candidate == Null || current == Null)
        {
            return true;
        }

        // RFC 9302: V1 < V2 iff (V2 > V1 and V2 - V1 <= 2^(N-1)) or (V1 > V2 and V1 - V2 > 2^(N-1)).
        int ahead = (candidate - current) & (Modulus - 1);
        return ahead != 0 && ahead <= Half;
    }
}
