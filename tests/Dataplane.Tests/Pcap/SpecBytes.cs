using System.Buffers.Binary;

namespace Dataplane.Tests.Pcap;

/// <summary>
/// Builds capture files byte by byte, in either byte order, straight from the format specs, so
/// tests do not depend on our own writers for the cases the writers cannot produce.
/// </summary>
internal sealed class SpecBytes(bool bigEndian)
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public SpecBytes U8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public SpecBytes U16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, value);
        else BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public SpecBytes U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public SpecBytes U64(ulong value) => bigEndian
        ? U32((uint)(value >> 32)).U32((uint)value)
        : U32((uint)value).U32((uint)(value >> 32));

    public SpecBytes Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public SpecBytes Pad4()
    {
        while (_bytes.Count % 4 != 0)
        {
            _bytes.Add(0);
        }
        return this;
    }

    /// <summary>A pcapng block: type, total length, body (padded), total length.</summary>
    public SpecBytes Block(uint type, Action<SpecBytes> body)
    {
        var inner = new SpecBytes(bigEndian);
        body(inner);
        inner.Pad4();
        var length = (uint)(12 + inner.Length);
        return U32(type).U32(length).Raw(inner.ToArray()).U32(length);
    }

    /// <summary>A pcapng option: code, length, value, padding.</summary>
    public SpecBytes Option(ushort code, params byte[] value) => U16(code).U16((ushort)value.Length).Raw(value).Pad4();

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A frame whose bytes say which packet it is, so reordering or mixing shows.</summary>
    public static byte[] Frame(int length, int seed)
    {
        var frame = new byte[length];
        for (var i = 0; i < frame.Length; i++)
        {
            frame[i] = (byte)(seed * 31 + i);
        }
        return frame;
    }
}
