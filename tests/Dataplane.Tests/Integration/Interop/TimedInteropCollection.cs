namespace Dataplane.Tests.Integration.Interop;

/// <summary>
/// Interop tests that assert how fast a peer converges (seconds on a wall clock): they run alone, after the parallel
/// tests, so a 2-core machine busy with other tests does not stretch a peer's reaction past the bound.
/// </summary>
[CollectionDefinition(nameof(TimedInteropCollection), DisableParallelization = true)]
public sealed class TimedInteropCollection;
