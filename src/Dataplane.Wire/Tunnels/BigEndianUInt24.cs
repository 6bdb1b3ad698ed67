namespace Dataplane.Wire.Tunnels;

/// <summary>24-bit network-order fields (LISP nonce and Instance ID, VXLAN VNI), which BinaryPrimitives has no call for.</summary>
internal static class BigEndianUInt24
{
    public const uint MaxValue = 0xFF_FFFF;

    public static uint Read(ReadOnlySpan<byte> bytes) => ((uint)bytes[2]) | ((uint)bytes[1] << 8) | ((uint)bytes[0] << 16);

    /// <summary>Writes the low 24 bits of <paramref name="value"/>; higher bits are dropped, as the field cannot hold them.</summary>
    public static void Write(Span<byte> bytes, uint value)
    {
        // Touch the last byte first so the JIT checks the bound once.
        bytes[2] = (byte)value;
        bytes[1] = (byte)(value >> 8);
        bytes[0] = (byte)(value >> 16);
    }
}
