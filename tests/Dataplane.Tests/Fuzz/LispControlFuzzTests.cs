using Dataplane.Fuzz.Targets;
using Dataplane.Tests.Wire.LispControl;

namespace Dataplane.Tests.Fuzz;

/// <summary>
/// LISP control messages (RFC 9301 section 5, RFC 8060): every type's parser, the ECM wrapper and the verified
/// (HMAC) paths, over mutations of the hand-laid vectors, through the same <see cref="LispControlTarget"/> AFL runs.
/// Whatever arrives, the parsers answer true or false with an error text; nothing throws.
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
        var target = new LispControlTarget();
        long executions = FuzzBudget.Run("lisp-control", Seeds(), 200_000, input => target.Execute(input));

        Assert.True(executions >= Seeds().Count);
        Assert.True(target.Parsed >= 6, $"the unmutated RFC vectors must parse, {target.Parsed} did");
    }
}
