using System.Diagnostics;

namespace Dataplane.Benchmarks;

/// <summary>
/// A thread that runs a lookup loop until stopped, pinned to the last CPU (the measured thread is pinned to CPU 0)
/// when the machine has two or more, and counts what it did so cleanup can print the readers' rate during the
/// whole run (BenchmarkDotNet's pilot, warm-up and measured phases, and the gaps between them).
/// </summary>
internal sealed class BackgroundReader
{
    private readonly Func<long, long> lookupRound;
    private readonly Thread thread;
    private readonly Stopwatch clock = new();
    private volatile bool stop;
    private long lookups;
    private long hits;

    /// <summary><paramref name="lookupRound"/> does one round of lookups (the round number is its argument) and returns how many hit.</summary>
    public BackgroundReader(string name, int roundSize, Func<long, long> lookupRound)
    {
        this.lookupRound = lookupRound;
        RoundSize = roundSize;
        thread = new Thread(Loop) { IsBackground = true, Name = name };
    }

    public int RoundSize { get; }

    public bool Pinned { get; private set; }

    public void Start()
    {
        Pinned = Environment.ProcessorCount > 1 && ThreadAffinity.TryPinCurrentThread(0);
        thread.Start();
        while (Interlocked.Read(ref lookups) == 0)
        {
            Thread.Yield();
        }
    }

    /// <summary>Stops the reader and returns a line for the log.</summary>
    public string Stop(string what)
    {
        stop = true;
        thread.Join();
        clock.Stop();
        if (Pinned)
        {
            ThreadAffinity.Unpin();
        }

        long done = Interlocked.Read(ref lookups);
        double perSecond = done / clock.Elapsed.TotalSeconds;
        return $"// {thread.Name}: {what}: {done:N0} lookups ({Interlocked.Read(ref hits):N0} hits) in {clock.Elapsed.TotalSeconds:F1} s = {perSecond / 1e6:F1} M lookups/s on one reader thread (pinned: {Pinned})";
    }

    private void Loop()
    {
        if (Pinned)
        {
            ThreadAffinity.TryPinCurrentThread(Environment.ProcessorCount - 1);
        }

        clock.Start();
        long round = 0;
        while (!stop)
        {
            long found = lookupRound(round++);
            Interlocked.Add(ref hits, found);
            Interlocked.Add(ref lookups, RoundSize);
        }
    }
}
