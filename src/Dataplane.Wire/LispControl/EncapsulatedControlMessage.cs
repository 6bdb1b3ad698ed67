namespace Dataplane.Wire.LispControl;

/// <summary>
/// What <see cref="EncapsulatedControlHeader.TryParseEncapsulated"/> found: the ECM flags, the inner IP/UDP
/// addressing (where the reply goes), and where the inner control message lies in the parsed payload.
/// </summary>
public sealed record EncapsulatedControlMessage(EncapsulatedControlHeader Header, LispAddress InnerSource,
    LispAddress InnerDestination, ushort InnerSourcePort, ushort InnerDestinationPort, int MessageOffset, int MessageLength)
{
    /// <summary>The inner control message within the payload that was parsed.</summary>
    public ReadOnlySpan<byte> MessageIn(ReadOnlySpan<byte> lispPayload) => lispPayload.Slice(MessageOffset, MessageLength);
}
