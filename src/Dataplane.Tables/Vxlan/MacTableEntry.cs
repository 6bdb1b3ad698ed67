namespace Dataplane.Tables.Vxlan;

/// <summary>
/// Where a MAC lives, packed in one 64-bit word so a slot of <see cref="MacTable"/> is written and read whole:
/// bit 63 valid, bit 62 remote (behind a VTEP) or local (on an access port), bits 32..47 the port number or the
/// remote-VTEP index, bits 0..31 when it was last seen, in whole seconds of the data plane's clock.
/// </summary>
public readonly record struct MacTableEntry(ulong Packed)
{
    private const ulong ValidBit = 1UL << 63;
    private const ulong RemoteBit = 1UL << 62;

    public static MacTableEntry Local(ushort port, uint seenSecond) => new(ValidBit | ((ulong)port << 32) | seenSecond);

    public static MacTableEntry Remote(ushort vtepIndex, uint seenSecond) => new(ValidBit | RemoteBit | ((ulong)vtepIndex << 32) | seenSecond);

    public bool IsValid => (Packed & ValidBit) != 0;

    /// <summary>True: <see cref="Target"/> is a remote-VTEP index; false: a local port number.</summary>
    public bool IsRemote => (Packed & RemoteBit) != 0;

    public ushort Target => (ushort)(Packed >> 32);

    public uint SeenSecond => (uint)Packed;

    /// <summary>Same place (port or VTEP), whatever the time stamp.</summary>
    public bool SamePlaceAs(MacTableEntry other) => (Packed >> 32) == (other.Packed >> 32);
}
