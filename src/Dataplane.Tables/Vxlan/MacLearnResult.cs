namespace Dataplane.Tables.Vxlan;

/// <summary>What <see cref="MacTable.Learn"/> did, so the stage can count it.</summary>
public enum MacLearnResult : byte
{
    /// <summary>Already known at the same place and refreshed this second: nothing written.</summary>
    Unchanged,
    Refreshed,
    Learned,
    Moved,

    /// <summary>No free or expired slot within the probe window: the learn is dropped, the table does not grow.</summary>
    TableFull,

    /// <summary>Another writer was reclaiming the slot at that moment; the next frame learns it.</summary>
    Contended,
}
