namespace Dataplane.Fuzz.Targets;

/// <summary>
/// A planted bug that proves the harness works: it crashes on any input that starts with "CRSH", reached one byte
/// comparison at a time so coverage guidance (not luck) finds it from a seed of "CRAB". scripts/fuzz --target
/// selftest must report exactly this crash.
/// </summary>
public sealed class SelfTestTarget : IFuzzTarget
{
    public string Name => "selftest";

    public void Execute(ReadOnlySpan<byte> input)
    {
        if (input.Length >= 4 && input[0] == 'C')
        {
            if (input[1] == 'R')
            {
                if (input[2] == 'S')
                {
                    if (input[3] == 'H')
                    {
                        throw new FuzzInvariantException("the planted selftest crash");
                    }
                }
            }
        }
    }
}
