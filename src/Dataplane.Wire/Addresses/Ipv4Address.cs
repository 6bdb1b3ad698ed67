using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Dataplane.Wire.Addresses;

/// <summary>
/// An IPv4 address held as a host-order <see cref="uint"/> (a.b.c.d = a&lt;&lt;24 | ... | d), so it can be
/// compared, masked and hashed as an integer without allocation. Parsing and formatting are for humans
/// (configuration, logs, tests), never the hot path.
/// </summary>
public readonly record struct Ipv4Address(uint Value) : IComparable<Ipv4Address>, ISpanFormattable
{
    public const int Size = 4;

    public static Ipv4Address Any => new(0);

    public static Ipv4Address Broadcast => new(uint.MaxValue);

    public Ipv4Address(byte a, byte b, byte c, byte d) : this(((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d)
    {
    }

    /// <summary>Reads four bytes in network order.</summary>
    public static Ipv4Address Read(ReadOnlySpan<byte> source) => new(BinaryPrimitives.ReadUInt32BigEndian(source));

    /// <summary>Writes four bytes in network order.</summary>
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);

    public static bool TryParse(ReadOnlySpan<char> text, out Ipv4Address address)
    {
        address = default;
        uint value = 0;
        int octets = 0;
        int index = 0;
        while (octets < 4)
        {
            int start = index;
            uint octet = 0;
            while (index < text.Length && char.IsAsciiDigit(text[index]) && index - start < 3)
            {
                octet = octet * 10 + (uint)(text[index] - '0');
                index++;
            }

            int digits = index - start;
            if (digits == 0 || octet > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            value = (value << 8) | octet;
            octets++;
            if (octets < 4)
            {
                if (index >= text.Length || text[index] != '.')
                {
                    return false;
                }

                index++;
            }
        }

        if (index != text.Length)
        {
            return false;
        }

        address = new Ipv4Address(value);
        return true;
    }

    public static Ipv4Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 address (expected a.b.c.d)");

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        charsWritten = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            if (!((Value >> shift) & 0xFF).TryFormat(destination[charsWritten..], out int written, default, provider))
            {
                return false;
            }

            charsWritten += written;
            if (shift > 0)
            {
                if (charsWritten >= destination.Length)
                {
                    return false;
                }

                destination[charsWritten++] = '.';
            }
        }

        return true;
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    [SuppressMessage("Style", "IDE0057", Justification = "explicit stackalloc formatting")]
    public override string ToString()
    {
        Span<char> buffer = stackalloc char[15];
        TryFormat(buffer, out int written);
        return new string(buffer[..written]);
    }
}
