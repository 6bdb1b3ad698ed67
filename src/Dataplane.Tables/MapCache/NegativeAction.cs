namespace Dataplane.Tables.MapCache;

/// <summary>
/// What to do with packets that match a negative map-cache entry: the ACT field of a Map-Reply record
/// (RFC 9301 section 5.4). The numeric values are the wire values.
/// </summary>
public enum NegativeAction : byte
{
    NoAction = 0,
    NativelyForward = 1,
    SendMapRequest = 2,
    Drop = 3,
}
