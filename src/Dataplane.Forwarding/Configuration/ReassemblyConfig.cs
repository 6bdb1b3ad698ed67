namespace Dataplane.Forwarding.Configuration;

/// <summary>
/// The "reassembly" section: the limits of the table in which each worker of a decapsulating node (etr, petr, rtr,
/// vtep, gtpu) puts back together the IPv4 and IPv6 fragments addressed to it (docs/configuration.md). Every limit is
/// per worker; the memory is allocated once, when the worker starts.
/// </summary>
public sealed record ReassemblyConfig
{
    /// <summary>Datagrams being reassembled at once; a fragment of one more is dropped as ReassemblyTableFull.</summary>
    public int MaxDatagrams { get; init; } = 64;

    /// <summary>Largest datagram put back together, IP header included; a bigger one is dropped as ReassemblyTooLarge.</summary>
    public int MaxDatagramBytes { get; init; } = 9600;

    /// <summary>Fragment payload bytes held over all unfinished datagrams; beyond it, ReassemblyBytesExhausted.</summary>
    public int MaxBytesInFlight { get; init; } = 256 * 1024;

    /// <summary>Fragments one datagram may come in; more is ReassemblyTooManyFragments.</summary>
    public int MaxFragments { get; init; } = 16;

    /// <summary>How long a datagram may wait for its missing fragments, from its first fragment (RFC 8200 allows at most 60 s).</summary>
    public int TimeoutMilliseconds { get; init; } = 1000;

    /// <summary>Refuses values outside the ranges the table supports, naming the field.</summary>
    public void Validate()
    {
        Check(MaxDatagrams, 1, 4096, "reassembly.maxDatagrams");
        Check(MaxDatagramBytes, 576, 65535, "reassembly.maxDatagramBytes");
        Check(MaxBytesInFlight, 576, 64 * 1024 * 1024, "reassembly.maxBytesInFlight");
        Check(MaxFragments, 2, 64, "reassembly.maxFragments");
        Check(TimeoutMilliseconds, 10, 60_000, "reassembly.timeoutMilliseconds");
        if ((long)MaxDatagrams * MaxDatagramBytes > 256L * 1024 * 1024)
        {
            throw new ConfigurationException("reassembly", $"maxDatagrams x maxDatagramBytes = {(long)MaxDatagrams * MaxDatagramBytes} bytes per worker: at most 256 MiB");
        }
    }

    private static void Check(int value, int min, int max, string field)
    {
        if (value < min || value > max)
        {
            throw new ConfigurationException(field, $"{value} is outside {min}..{max}");
        }
    }
}
