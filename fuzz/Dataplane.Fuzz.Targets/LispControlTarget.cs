using Dataplane.Wire.LispControl;

namespace Dataplane.Fuzz.Targets;

/// <summary>
/// LISP control messages (RFC 9301 section 5, RFC 8060, the NAT-traversal draft's Info messages): every type's parser, the ECM wrapper and the verified
/// (HMAC) paths. Whatever arrives, the parsers answer true with a message or false with an error text; nothing throws.
/// </summary>
public sealed class LispControlTarget : IFuzzTarget
{
    /// <summary>The authentication key the seeds are signed with (the RFC vectors' "it's a secret").</summary>
    private static readonly byte[] Key = "it's a secret"u8.ToArray();

    public string Name => "lisp-control";

    /// <summary>How many inputs parsed as a control message (the replay tests expect the RFC vectors to).</summary>
    public long Parsed { get; private set; }

    public void Execute(ReadOnlySpan<byte> input)
    {
        if (LispControlMessage.TryParse(input, out var message, out string error))
        {
            FuzzInvariantException.Check(message is not null, "TryParse answered true without a message");
            Parsed++;
        }
        else
        {
            FuzzInvariantException.Check(!string.IsNullOrEmpty(error), "TryParse answered false without an error");
        }

        ChangePriority.TryParse(input, out _, out _, out _);
        MapRegister.TryParseVerified(input, _ => Key, out _, out _);
        MapNotify.TryParseVerified(input, _ => Key, out _, out _);
        ChangePriority.TryParseVerified(input, _ => null, out _, out _);
        InfoMessage.TryParseVerified(input, _ => Key, out _, out _);
        LispAddress.TryParse(input, out _, out _, out _);
        if (EncapsulatedControlHeader.TryParseEncapsulated(input, out var ecm, out _))
        {
            FuzzInvariantException.Check(ecm is not null, "TryParseEncapsulated answered true without a message");
        }
    }
}
