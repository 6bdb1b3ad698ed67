using System.Globalization;

namespace Dataplane.Wire.Addresses;

/// <summary>
/// An EID prefix qualified by a LISP instance ID (RFC 9300 section 5.5: 24 bits), the key of the map-cache.
/// Text form: "[iid]10.0.0.0/8", or "10.0.0.0/8" / "2001:db8::/32" for instance 0.
/// <para>
/// Host bits: <see cref="TryParse"/> rejects text with bits set after the prefix length (a typo such as
/// "10.1.0.0/8" in configuration should be loud), while <see cref="Create"/> masks them, because prefixes
/// built by code (from a Map-Reply record or a packet's address) are legitimately unmasked. Either way an
/// existing value always has zero host bits, so equal prefixes compare and hash equal.
/// </para>
/// </summary>
public readonly record struct EidPrefix : ISpanFormattable
{
    /// <summary>Instance IDs are 24 bits in the LISP header.</summary>
    public const uint MaxInstanceId = 0xFF_FFFF;

    private EidPrefix(uint instanceId, IpAddress address, byte prefixLength)
    {
        InstanceId = instanceId;
        Address = address;
        PrefixLength = prefixLength;
    }

    public uint InstanceId { get; }

    /// <summary>The network address; host bits are always zero.</summary>
    public IpAddress Address { get; }

    public byte PrefixLength { get; }

    public IpFamily Family => Address.Family;

    /// <summary>Builds a prefix, clearing host bits. Throws on an instance ID over 24 bits or a length past the family width.</summary>
    public static EidPrefix Create(uint instanceId, IpAddress address, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(instanceId, MaxInstanceId);
        if (address.Family == IpFamily.Unspecified)
        {
            throw new ArgumentException("an EID prefix needs an IPv4 or IPv6 address", nameof(address));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, address.BitLength);
        return new EidPrefix(instanceId, address.Masked(prefixLength), (byte)prefixLength);
    }

    /// <summary>A host prefix (/32 or /128).</summary>
    public static EidPrefix Host(uint instanceId, IpAddress address) => Create(instanceId, address, address.BitLength);

    /// <summary>True when <paramref name="address"/> in <paramref name="instanceId"/> falls inside this prefix.</summary>
    public bool Contains(uint instanceId, IpAddress address) =>
        instanceId == InstanceId && Address.SharesPrefix(address, PrefixLength);

    /// <summary>True when <paramref name="other"/> is this prefix or a more specific one inside it.</summary>
    public bool Covers(EidPrefix other) => other.PrefixLength >= PrefixLength && Contains(other.InstanceId, other.Address);

    public static bool TryParse(ReadOnlySpan<char> text, out EidPrefix prefix)
    {
        prefix = default;
        uint instanceId = 0;
        if (text.Length > 0 && text[0] == '[')
        {
            int close = text.IndexOf(']');
            if (close < 2
                || !uint.TryParse(text[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out instanceId)
                || instanceId > MaxInstanceId)
            {
                return false;
            }

            text = text[(close + 1)..];
        }

        int slash = text.IndexOf('/');
        if (slash < 0
            || !IpAddress.TryParse(text[..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int length)
            || length > address.BitLength)
        {
            return false;
        }

        if (address.Masked(length) != address)
        {
            return false;
        }

        prefix = new EidPrefix(instanceId, address, (byte)length);
        return true;
    }

    public static EidPrefix Parse(string text) =>
        TryParse(text, out var prefix)
            ? prefix
            : throw new FormatException($"'{text}' is not an EID prefix (expected [iid]address/length with zero host bits, e.g. [7]10.0.0.0/8 or 2001:db8::/32)");

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null) =>
        InstanceId == 0
            ? destination.TryWrite(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}", out charsWritten)
            : destination.TryWrite(CultureInfo.InvariantCulture, $"[{InstanceId}]{Address}/{PrefixLength}", out charsWritten);

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public override string ToString() =>
        InstanceId == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}")
            : string.Create(CultureInfo.InvariantCulture, $"[{InstanceId}]{Address}/{PrefixLength}");
}
