namespace Dataplane.Forwarding.Tof;

/// <summary>What <see cref="TofSlotTable{TKey, TEntry}.TryAdd"/> did.</summary>
public enum TofLearnResult
{
    /// <summary>The entry is now in the table.</summary>
    Added,

    /// <summary>An entry with the key was there already (another worker may have just added it); it is returned.</summary>
    Existing,

    /// <summary>Every slot of the key's probe window is taken: nothing was added (the table never grows on the hot path).</summary>
    Full,
}
