using Dataplane.Tests.Wire.LispControl;
using Dataplane.Wire.LispControl;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// LISP control messages (RFC 9301 section 5, RFC 8060): every type's parser, the ECM wrapper and the verified
/// (HMAC) paths, over mutations of the hand-laid vectors. Whatever arrives, the parsers answer true or false with
/// an error text; nothing throws.
/// </summary>
public class LispControlFuzzTests
{
    public static List<byte[]> Seeds() =>
    [
        LispControlVectors.MapRequestBytes,
        LispControlVectors.PositiveMapReplyBytes,
        LispControlVectors.NegativeMapReplyBytes,
        LispControlVectors.MapRegisterSha1Unsigned,
        LispControlVectors.MapRegisterSha256Unsigned,
        LispControlVectors.MapNotifySha1Unsigned,
        LispControlVectors.ChangePrioritySha1Unsigned,
        LispControlVectors.LegacyChangePrioritySha1Unsigned,
        LispControlVectors.EcmAroundMapRequest,
    ];

    [Fact]
    public void Every_control_message_parser_survives_mutated_messages()
    {
        int parsed = 0;
        long executions = FuzzBudget.Run("lisp-control", Seeds(), 200_000, input =>
        {
            if (LispControlMessage.TryParse(input, out var message, out string error))
            {
                Assert.NotNull(message);
                parsed++;
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }

            ChangePriority.TryParse(input, out _, out _, out _);
            MapRegister.TryParseVerified(input, _ => LispControlVectors.Key, out _, out _);
            MapNotify.TryParseVerified(input, _ => LispControlVectors.Key, out _, out _);
            ChangePriority.TryParseVerified(input, _ => null, out _, out _);
            LispAddress.TryParse(input, out _, out _, out _);
            if (EncapsulatedControlHeader.TryParseEncapsulated(input, out var ecm, out _))
            {
                Assert.NotNull(ecm);
            }
        });

        Assert.True(executions >= Seeds().Count);
        Assert.True(parsed >= 6, $"the unmutated RFC vectors must parse, {parsed} did");
    }
}
