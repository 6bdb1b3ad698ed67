using System.Buffers.Binary;

namespace Dataplane.Wire.LispControl;

/// <summary>A forward-only cursor for writers whose caller has already checked the destination against Size.</summary>
internal ref struct LispWriter
{
    private readonly Span<byte> _data;

    public LispWriter(Span<byte> data) => _data = data;

    public int Position { get; private set; }

    public static void EnsureRoom(Span<byte> destination, int size, string message)
    {
        if (destination.Length < size)
        {
            throw new ArgumentException($"{message} needs {size} bytes, the destination has {destination.Length}", nameof(destination));
        }
    }

    public Span<byte> Take(int count)
    {
        var span = _data.Slice(Position, count);
        Position += count;
        return span;
    }

    public void Byte(byte value) => _data[Position++] = value;

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Take(2), value);

    public void UInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Take(4), value);

    public void UInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Take(8), value);

    public void UInt128(UInt128 value) => BinaryPrimitives.WriteUInt128BigEndian(Take(16), value);

    public void Bytes(ReadOnlySpan<byte> value) => value.CopyTo(Take(value.Length));
}
