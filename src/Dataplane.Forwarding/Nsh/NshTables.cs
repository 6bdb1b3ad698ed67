using System.Collections.Frozen;

namespace Dataplane.Forwarding.Nsh;

/// <summary>
/// One immutable snapshot of the service functions and paths. Writers build a new one and publish it with one
/// reference write (<see cref="NshFeature.Update"/>); a worker reads the reference once per batch, so it sees the
/// old paths or the new ones for a whole batch, never a mix.
/// </summary>
public sealed class NshTables(FrozenDictionary<uint, NshServicePath> paths, FrozenDictionary<string, NshServiceFunction> functions,
    byte mdType, byte underlayTtl)
{
    public FrozenDictionary<uint, NshServicePath> Paths { get; } = paths;

    public FrozenDictionary<string, NshServiceFunction> Functions { get; } = functions;

    /// <summary>MD type a classifier writes (1: 24 bytes with zero context; 2: 8 bytes).</summary>
    public byte MdType { get; } = mdType;

    public byte UnderlayTtl { get; } = underlayTtl;
}
