using System.Buffers.Binary;

namespace Dataplane.Wire.Addresses;

/// <summary>A 48-bit Ethernet address held in the low bits of a <see cref="ulong"/> (first wire byte most significant).</summary>
public readonly record struct MacAddress(ulong Value) : IComparable<MacAddress>
{
    public const int Size = 6;

    public static MacAddress Broadcast => new(0xFFFF_FFFF_FFFFUL);

    public static MacAddress Zero => new(0);

    public bool IsMulticast => ((Value >> 40) & 0x01) != 0;

    public bool IsBroadcast => Value == 0xFFFF_FFFF_FFFFUL;

    public static MacAddress Read(ReadOnlySpan<byte> source) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(source) << 32) | BinaryPrimitives.ReadUInt32BigEndian(source[2..]));

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..6], (uint)Value);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(Value >> 32));
    }

    public int CompareTo(MacAddress other) => Value.CompareTo(other.Value);

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff" (case-insensitive).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress address)
    {
        address = default;
        if (text.Length != 17)
        {
            return false;
        }

        char separator = text[2];
        if (separator != ':' && separator != '-')
        {
            return false;
        }

        ulong value = 0;
        for (int i = 0; i < 6; i++)
        {
            int at = i * 3;
            if ((i < 5 && text[at + 2] != separator) || !TryHex(text[at], out int high) || !TryHex(text[at + 1], out int low))
            {
                return false;
            }

            value = (value << 8) | (uint)((high << 4) | low);
        }

        address = new MacAddress(value);
        return true;
    }

    public static MacAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a MAC address (expected aa:bb:cc:dd:ee:ff)");

    public override string ToString() => string.Create(17, Value, static (chars, value) =>
    {
        for (int i = 0; i < 6; i++)
        {
            byte octet = (byte)(value >> (40 - (8 * i)));
            chars[i * 3] = "0123456789abcdef"[octet >> 4];
            chars[(i * 3) + 1] = "0123456789abcdef"[octet & 0xF];
            if (i < 5)
            {
                chars[(i * 3) + 2] = ':';
            }
        }
    });

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
