using System.Runtime.CompilerServices;

// The stages' per-packet methods carry large struct locals (inner packet views, encapsulation parameters,
// adjacencies): with the C# default `.locals init` the JIT zeroes the whole frame in every call's prolog (perf
// showed the ITR's Handle spending ~10% of its samples in a 672-byte zeroing loop). Nothing in this assembly reads
// a local before writing it (the compiler's definite assignment guarantees that for ordinary locals) and nothing
// here uses stackalloc, whose memory is the one thing this attribute leaves uninitialised.
[module: SkipLocalsInit]
