namespace Dataplane.Wire.Headers;

/// <summary>ICMPv6 message types (RFC 4443; neighbour discovery from RFC 4861).</summary>
public static class Icmpv6Type
{
    public const byte DestinationUnreachable = 1;
    public const byte PacketTooBig = 2;
    public const byte TimeExceeded = 3;
    public const byte ParameterProblem = 4;
    /// <summary>Destination Unreachable code 0 "no route to destination" (RFC 4443 section 3.1).</summary>
    public const byte CodeNoRoute = 0;

    /// <summary>Time Exceeded code 0 "hop limit exceeded in transit" (RFC 4443 section 3.3).</summary>
    public const byte CodeHopLimitExceeded = 0;

    public const byte EchoRequest = 128;
    public const byte EchoReply = 129;
    public const byte RouterSolicitation = 133;
    public const byte RouterAdvertisement = 134;
    public const byte NeighborSolicitation = 135;
    public const byte NeighborAdvertisement = 136;

    /// <summary>RFC 4443 section 2.1: types 0-127 are errors, and every error carries the invoking packet.</summary>
    public static bool IsError(byte type) => type < 128;
}
