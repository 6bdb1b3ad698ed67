namespace Dataplane.Fuzz.Targets;

/// <summary>
/// One parser family under fuzz: takes one input and checks the family's invariants. A broken invariant throws
/// <see cref="FuzzInvariantException"/>; any exception that leaves <see cref="Execute"/> is a crash to AFL.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name scripts/fuzz and the corpus directories use (fuzz/corpus/NAME).</summary>
    string Name { get; }

    /// <summary>Feeds one input through the family's parsers and checks what must hold whatever the input.</summary>
    void Execute(ReadOnlySpan<byte> input);
}
