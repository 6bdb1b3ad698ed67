using System.Globalization;
using Dataplane.Wire.Addresses;

namespace Dataplane.Control.Socket;

/// <summary>Says why a text is not an EID prefix, so an operator sees "mask length 33 > 32" rather than only "not a prefix".</summary>
public static class PrefixDiagnosis
{
    /// <summary>Null when <paramref name="text"/> parses as an <see cref="EidPrefix"/>; otherwise the reason.</summary>
    public static string? Problem(string text)
    {
        if (EidPrefix.TryParse(text, out _))
        {
            return null;
        }

        string rest = text;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "the instance ID has no closing ']'";
            }

            string iid = rest[1..close];
            if (!uint.TryParse(iid, NumberStyles.None, CultureInfo.InvariantCulture, out uint instanceId))
            {
                return $"instance ID '{iid}' is not a number";
            }

            if (instanceId > EidPrefix.MaxInstanceId)
            {
                return $"instance ID {instanceId} does not fit 24 bits";
            }

            rest = rest[(close + 1)..];
        }

        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return "no mask length (expected address/length, e.g. 10.0.0.0/8)";
        }

        if (!IpAddress.TryParse(rest.AsSpan(0, slash), out var address))
        {
            return $"'{rest[..slash]}' is not an IPv4 or IPv6 address";
        }

        if (!int.TryParse(rest[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int length))
        {
            return $"mask length '{rest[(slash + 1)..]}' is not a number";
        }

        if (length > address.BitLength)
        {
            return $"mask length {length} > {address.BitLength}";
        }

        return address.Masked(length) != address
            ? $"host bits are set after /{length} (did you mean {address.Masked(length)}/{length}?)"
            : "not a prefix (expected 10.0.0.0/8, 2001:db8::/32 or [iid]prefix/len)";
    }
}
