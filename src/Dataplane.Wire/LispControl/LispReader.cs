using System.Buffers.Binary;

namespace Dataplane.Wire.LispControl;

/// <summary>
/// A bounds-checked cursor over a control message. Every read names the field it wants so that a short buffer
/// yields an error such as "Map-Reply record 2: EID-Prefix-AFI needs 2 bytes, 1 left"; nothing here throws.
/// </summary>
internal ref struct LispReader
{
    private readonly ReadOnlySpan<byte> _data;

    public LispReader(ReadOnlySpan<byte> data, string context)
    {
        _data = data;
        Context = context;
        Error = "";
    }

    /// <summary>Prefix of every error: the message and record being read ("Map-Reply record 2").</summary>
    public string Context { get; set; }

    public string Error { get; private set; }

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public bool Fail(string problem)
    {
        Error = Context.Length == 0 ? problem : $"{Context}: {problem}";
        return false;
    }

    public bool Need(string field, int count) =>
        count <= Remaining || Fail($"{field} needs {count} bytes, {Remaining} left");

    public bool TryBytes(string field, int count, out ReadOnlySpan<byte> bytes)
    {
        if (!Need(field, count))
        {
            bytes = default;
            return false;
        }

        bytes = _data.Slice(Position, count);
        Position += count;
        return true;
    }

    public bool TryByte(string field, out byte value)
    {
        bool ok = TryBytes(field, 1, out var bytes);
        value = ok ? bytes[0] : (byte)0;
        return ok;
    }

    public bool TryUInt16(string field, out ushort value)
    {
        bool ok = TryBytes(field, 2, out var bytes);
        value = ok ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : (ushort)0;
        return ok;
    }

    public bool TryUInt32(string field, out uint value)
    {
        bool ok = TryBytes(field, 4, out var bytes);
        value = ok ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : 0;
        return ok;
    }

    public bool TryUInt64(string field, out ulong value)
    {
        bool ok = TryBytes(field, 8, out var bytes);
        value = ok ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;
        return ok;
    }

    public bool TryUInt128(string field, out UInt128 value)
    {
        bool ok = TryBytes(field, 16, out var bytes);
        value = ok ? BinaryPrimitives.ReadUInt128BigEndian(bytes) : UInt128.Zero;
        return ok;
    }
}
