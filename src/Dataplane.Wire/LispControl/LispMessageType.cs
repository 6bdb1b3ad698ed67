namespace Dataplane.Wire.LispControl;

/// <summary>The 4-bit type in the first nibble of every LISP control message (RFC 9301 section 5.1, RFC 8113).</summary>
public enum LispMessageType : byte
{
    MapRequest = 1,
    MapReply = 2,
    MapRegister = 3,
    MapNotify = 4,
    MapNotifyAck = 5,

    /// <summary>Info-Request / Info-Reply (R bit), the NAT-traversal draft's message.</summary>
    Info = 7,
    EncapsulatedControl = 8,
    SharedExtension = 15,
}
