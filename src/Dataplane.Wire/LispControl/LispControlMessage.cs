namespace Dataplane.Wire.LispControl;

/// <summary>Dispatch of a UDP 4342 payload to the codec of its type (the first nibble, RFC 9301 section 5.1).</summary>
public static class LispControlMessage
{
    public static bool TryGetType(ReadOnlySpan<byte> udpPayload, out LispMessageType type)
    {
        type = udpPayload.IsEmpty ? 0 : (LispMessageType)(udpPayload[0] >> 4);
        return !udpPayload.IsEmpty && IsKnown(type);
    }

    /// <summary>
    /// Parses the payload into a <see cref="MapRequest"/>, <see cref="MapReply"/>, <see cref="MapRegister"/>,
    /// <see cref="MapNotify"/> (types 4 and 5), <see cref="InfoMessage"/> (type 7), <see cref="EncapsulatedControlMessage"/> (type 8; the inner message
    /// is not parsed: read it with <see cref="EncapsulatedControlMessage.MessageIn"/>) or <see cref="ChangePriority"/>
    /// (type 15 with its sub-type). Type 5 is always Map-Notify-Ack here; the legacy type-5 Change-Priority is read
    /// with <see cref="ChangePriority.TryParse(ReadOnlySpan{byte}, out ChangePriority?, out bool, out string)"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> udpPayload, out object? message, out string error)
    {
        message = null;
        if (udpPayload.IsEmpty)
        {
            error = "LISP control message: empty payload";
            return false;
        }

        bool ok;
        switch ((LispMessageType)(udpPayload[0] >> 4))
        {
            case LispMessageType.MapRequest:
                ok = MapRequest.TryParse(udpPayload, out var request, out error);
                message = request;
                break;
            case LispMessageType.MapReply:
                ok = MapReply.TryParse(udpPayload, out var reply, out error);
                message = reply;
                break;
            case LispMessageType.MapRegister:
                ok = MapRegister.TryParse(udpPayload, out var register, out error);
                message = register;
                break;
            case LispMessageType.MapNotify:
            case LispMessageType.MapNotifyAck:
                ok = MapNotify.TryParse(udpPayload, out var notify, out error);
                message = notify;
                break;
            case LispMessageType.Info:
                ok = InfoMessage.TryParse(udpPayload, out var info, out error);
                message = info;
                break;
            case LispMessageType.EncapsulatedControl:
                ok = EncapsulatedControlHeader.TryParseEncapsulated(udpPayload, out var encapsulated, out error);
                message = encapsulated;
                break;
            case LispMessageType.SharedExtension:
                ok = ChangePriority.TryParse(udpPayload, out var changePriority, out error);
                message = changePriority;
                break;
            default:
                error = $"LISP control message: type {udpPayload[0] >> 4} is not supported";
                return false;
        }

        return ok;
    }

    private static bool IsKnown(LispMessageType type) => type is LispMessageType.MapRequest or LispMessageType.MapReply
        or LispMessageType.MapRegister or LispMessageType.MapNotify or LispMessageType.MapNotifyAck
        or LispMessageType.Info or LispMessageType.EncapsulatedControl or LispMessageType.SharedExtension;
}
