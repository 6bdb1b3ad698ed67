using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Dataplane.Wire.Addresses;

/// <summary>
/// An IPv6 address held as a host-order <see cref="UInt128"/> (the first byte on the wire is the most
/// significant), so prefixes are shifts and masks and the value never allocates. Parsing and formatting
/// (RFC 5952 canonical text) are for humans and go through <see cref="IPAddress"/>; they are not on the hot path.
/// </summary>
public readonly record struct Ipv6Address(UInt128 Value) : IComparable<Ipv6Address>, ISpanFormattable
{
    public const int Size = 16;

    public static Ipv6Address Any => new(UInt128.Zero);

    public Ipv6Address(ulong high, ulong low) : this(new UInt128(high, low))
    {
    }

    public ulong High => (ulong)(Value >> 64);

    public ulong Low => (ulong)Value;

    /// <summary>Reads sixteen bytes in network order.</summary>
    public static Ipv6Address Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt128BigEndian(source));

    /// <summary>Writes sixteen bytes in network order.</summary>
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt128BigEndian(destination, Value);

    public int CompareTo(Ipv6Address other) => Value.CompareTo(other.Value);

    public static bool TryParse(ReadOnlySpan<char> text, out Ipv6Address address)
    {
        address = default;
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6 || parsed.ScopeId != 0)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        parsed.TryWriteBytes(bytes, out _);
        address = Read(bytes);
        return true;
    }

    public static Ipv6Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv6 address (expected RFC 4291 text such as 2001:db8::1)");

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return new IPAddress(bytes).TryFormat(destination, out charsWritten);
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return new IPAddress(bytes).ToString();
    }
}
