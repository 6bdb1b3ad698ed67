namespace Dataplane.Wire.Headers;

/// <summary>ICMPv4 message types (RFC 792) and the codes the data plane generates or inspects.</summary>
public static class Icmpv4Type
{
    public const byte EchoReply = 0;
    public const byte DestinationUnreachable = 3;

    /// <summary>Deprecated by RFC 6633 but still an error message that quotes the invoking datagram.</summary>
    public const byte SourceQuench = 4;

    public const byte Redirect = 5;
    public const byte EchoRequest = 8;
    public const byte TimeExceeded = 11;
    public const byte ParameterProblem = 12;

    /// <summary>Destination-unreachable code 4 "fragmentation needed and DF set", which carries the next-hop MTU (RFC 1191).</summary>
    public const byte CodeFragmentationNeeded = 4;

    /// <summary>Destination-unreachable code 0 "net unreachable": a router has no route (RFC 1812 section 5.2.7.1).</summary>
    public const byte CodeNetUnreachable = 0;

    /// <summary>Time-exceeded code 0 "time to live exceeded in transit" (RFC 792).</summary>
    public const byte CodeTtlExceededInTransit = 0;

    /// <summary>
    /// True for the informational (query) messages RFC 792, 950 and 1256 define; every other type is treated as an
    /// error, so no ICMP error is ever sent about it (RFC 1812 section 4.3.2.7; Linux does the same for types it does
    /// not know).
    /// </summary>
    public static bool IsQuery(byte type) => type is EchoReply or 8 or 9 or 10 or (>= 13 and <= 18);

    /// <summary>True for the error messages whose body starts with the invoking datagram.</summary>
    public static bool IsError(byte type) => type is DestinationUnreachable or SourceQuench or Redirect or TimeExceeded or ParameterProblem;
}
