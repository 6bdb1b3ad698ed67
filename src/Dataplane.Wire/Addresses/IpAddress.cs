using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Dataplane.Wire.Addresses;

/// <summary>
/// An IPv4 or IPv6 address in one value type (an EID or an RLOC), so locator sets and prefixes of both families
/// live in the same arrays without boxing or a class hierarchy. IPv4 sits in the low 32 bits of
/// <see cref="Value"/>; the family byte keeps 10.0.0.1 and ::a00:1 distinct. Parse/format are for humans.
/// </summary>
public readonly record struct IpAddress : ISpanFormattable
{
    public IpAddress(Ipv4Address address)
    {
        Family = IpFamily.V4;
        Value = address.Value;
    }

    public IpAddress(Ipv6Address address)
    {
        Family = IpFamily.V6;
        Value = address.Value;
    }

    public IpFamily Family { get; }

    /// <summary>The address bits, host order; IPv4 in the low 32 bits.</summary>
    public UInt128 Value { get; }

    public bool IsV4 => Family == IpFamily.V4;

    public bool IsV6 => Family == IpFamily.V6;

    /// <summary>32 for IPv4, 128 for IPv6, 0 for the unspecified default.</summary>
    public int BitLength => Family switch
    {
        IpFamily.V4 => 32,
        IpFamily.V6 => 128,
        _ => 0,
    };

    // The conversions sit on every hot path (several per packet); the throw lives in a helper so that their bodies
    // stay small enough to inline (an interpolated string in a throw expression is a lot of IL).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Ipv4Address AsV4()
    {
        if (!IsV4)
        {
            ThrowWrongFamily("IPv4");
        }

        return new Ipv4Address((uint)Value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Ipv6Address AsV6()
    {
        if (!IsV6)
        {
            ThrowWrongFamily("IPv6");
        }

        return new Ipv6Address(Value);
    }

    public static implicit operator IpAddress(Ipv4Address address) => new(address);

    public static implicit operator IpAddress(Ipv6Address address) => new(address);

    /// <summary>The address with every bit after the first <paramref name="prefixLength"/> cleared.</summary>
    public IpAddress Masked(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, BitLength);
        return IsV4
            ? new IpAddress(new Ipv4Address((uint)Value & V4Mask(prefixLength)))
            : new IpAddress(new Ipv6Address(Value & V6Mask(prefixLength)));
    }

    /// <summary>True when the first <paramref name="prefixLength"/> bits equal those of <paramref name="other"/> (same family).</summary>
    public bool SharesPrefix(IpAddress other, int prefixLength)
    {
        if (Family != other.Family || (uint)prefixLength > (uint)BitLength)
        {
            return false;
        }

        UInt128 mask = IsV4 ? V4Mask(prefixLength) : V6Mask(prefixLength);
        return ((Value ^ other.Value) & mask) == UInt128.Zero;
    }

    // C# shifts take the count modulo the width, so a length of 0 needs its own case.
    public static uint V4Mask(int prefixLength) => prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);

    public static UInt128 V6Mask(int prefixLength) => prefixLength == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - prefixLength);

    public static bool TryParse(ReadOnlySpan<char> text, out IpAddress address)
    {
        if (Ipv4Address.TryParse(text, out var v4))
        {
            address = v4;
            return true;
        }

        // Only hand text with a colon to the IPv6 parser: IPAddress.TryParse also accepts forms like "1" or "1.2".
        if (text.Contains(':') && Ipv6Address.TryParse(text, out var v6))
        {
            address = v6;
            return true;
        }

        address = default;
        return false;
    }

    public static IpAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 or IPv6 address");

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        switch (Family)
        {
            case IpFamily.V4:
                return AsV4().TryFormat(destination, out charsWritten, format, provider);
            case IpFamily.V6:
                return AsV6().TryFormat(destination, out charsWritten, format, provider);
            default:
                charsWritten = 0;
                if (!Unspecified.AsSpan().TryCopyTo(destination))
                {
                    return false;
                }

                charsWritten = Unspecified.Length;
                return true;
        }
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public override string ToString() => Family switch
    {
        IpFamily.V4 => AsV4().ToString(),
        IpFamily.V6 => AsV6().ToString(),
        _ => Unspecified,
    };

    [DoesNotReturn]
    private void ThrowWrongFamily(string family) => throw new InvalidOperationException($"{this} is not an {family} address");

    private const string Unspecified = "unspecified";
}
