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

    /// <summary>True for the error messages whose body starts with the invoking datagram.</summary>
    public static bool IsError(byte type) => type is DestinationUnreachable or SourceQuench or Redirect or TimeExceeded or ParameterProblem;
}
