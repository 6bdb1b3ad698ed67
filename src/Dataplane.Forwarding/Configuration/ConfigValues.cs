using Dataplane.Wire.Addresses;

namespace Dataplane.Forwarding.Configuration;

/// <summary>Parses the string values of the configuration (addresses, MACs, prefixes), naming the field in the error.</summary>
public static class ConfigValues
{
    public static IpAddress Ip(string? text, string field) =>
        text is not null && IpAddress.TryParse(text, out var address)
            ? address
            : throw new ConfigurationException(field, $"'{text}' is not an IPv4 or IPv6 address");

    public static Ipv4Address Ipv4(string? text, string field)
    {
        var address = Ip(text, field);
        return address.IsV4 ? address.AsV4() : throw new ConfigurationException(field, $"'{text}' is not an IPv4 address");
    }

    public static MacAddress Mac(string? text, string field) =>
        text is not null && MacAddress.TryParse(text, out var mac)
            ? mac
            : throw new ConfigurationException(field, $"'{text}' is not a MAC address (expected aa:bb:cc:dd:ee:ff)");

    /// <summary>"10.0.0.0/8", "2001:db8::/32", or "[iid]prefix/len"; host bits must be zero.</summary>
    public static EidPrefix Prefix(string? text, string field)
    {
        if (text is null || !EidPrefix.TryParse(text, out var prefix))
        {
            throw new ConfigurationException(field, $"'{text}' is not a prefix (expected 10.0.0.0/8, 2001:db8::/32 or [iid]prefix/len)");
        }

        return prefix;
    }

    /// <summary>A LISP xTR-ID: exactly 32 hex digits (128 bits), not all zero (RFC 9301 5.6: zero is no xTR-ID).</summary>
    public static UInt128 XtrId(string? text, string field)
    {
        if (text is null || text.Length != 32 || !UInt128.TryParse(text, System.Globalization.NumberStyles.AllowHexSpecifier,
                System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            throw new ConfigurationException(field, $"'{text}' is not an xTR-ID (expected 32 hex digits)");
        }

        return id != UInt128.Zero ? id : throw new ConfigurationException(field, "an xTR-ID of all zeros names no xTR");
    }

    public static T OneOf<T>(string? text, string field, IReadOnlyDictionary<string, T> choices) =>
        text is not null && choices.TryGetValue(text, out var value)
            ? value
            : throw new ConfigurationException(field, $"'{text}' is not one of: {string.Join(", ", choices.Keys)}");
}
