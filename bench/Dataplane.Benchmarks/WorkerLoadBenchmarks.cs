using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Dataplane.Forwarding.Pipeline;

namespace Dataplane.Benchmarks;

/// <summary>
/// What a worker's round pays to count its load (<see cref="WorkerLoad"/>): two counts and, on one round in 16, two
/// clock reads; <c>ClockRead</c> is one read alone, for scale. Divided by the packets a busy round carries (32 to 256
/// under load) it is the cost per packet.
/// </summary>
[MemoryDiagnoser]
public class WorkerLoadBenchmarks
{
    private readonly WorkerLoad load = new();

    [Benchmark]
    public void BusyRound()
    {
        bool timed = load.BeginRound(out long start);
        load.EndRound(32, timed, start);
    }

    [Benchmark]
    public void EmptyRound()
    {
        bool timed = load.BeginRound(out long start);
        load.EndRound(0, timed, start);
    }

    [Benchmark]
    public long ClockRead() => Stopwatch.GetTimestamp();
}
