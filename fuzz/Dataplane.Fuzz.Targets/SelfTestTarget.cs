namespace Dataplane.Fuzz.Targets;

/// <summary>
/// A planted bug that proves the harness works: it crashes on any input that starts with "CRS", reached one byte
/// comparison at a time, so from the seed "COAL" coverage guidance (each new matching byte is a new edge AFL keeps)
/// gets there in two steps where blind mutation would need both bytes at once. scripts/fuzz --target selftest must
/// report exactly this crash.
/// </summary>
public sealed class SelfTestTarget : IFuzzTarget
{
    public string Name => "selftest";

    public void Execute(ReadOnlySpan<byte> input)
    {
        if (input.Length >= 3 && input[0] == 'C')
        {
            if (input[1] == 'R')
            {
                if (input[2] == 'S')
                {
                    throw new FuzzInvariantException("the planted selftest crash");
                }
            }
        }
    }
}
