namespace Dataplane.Fuzz.Targets;

/// <summary>An invariant a fuzz target checks did not hold: to AFL a crash, to the replay tests a failure.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message)
{
    /// <summary>Throws when <paramref name="condition"/> is false; the message names the invariant.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }
}
