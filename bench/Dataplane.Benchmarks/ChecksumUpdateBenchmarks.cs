using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Dataplane.Wire.Checksums;
using Dataplane.Wire.Headers;

namespace Dataplane.Benchmarks;

/// <summary>
/// The routed packet's TTL decrement on a 20-byte IPv4 header, per header over a batch of 256 headers:
/// <c>Incremental</c> is <see cref="Ipv4Header.TryDecrementTimeToLive"/> (RFC 1624 eqn. 3 through
/// <see cref="InternetChecksum.Update(ushort, ushort, ushort)"/>), <c>FullRecompute</c> decrements the TTL and sums
/// the whole header again (<see cref="Ipv4Header.UpdateChecksum"/>). Both first put the TTL and checksum back to the
/// template's (two small writes, in both figures) so every invocation does the same work. Setup checks both leave a
/// header whose checksum verifies and that they agree.
/// </summary>
[MemoryDiagnoser]
public class ChecksumUpdateBenchmarks
{
    private const int Headers = 256;
    private const int HeaderLength = 20;
    private readonly byte[] _headers = new byte[Headers * HeaderLength];
    private readonly ushort[] _checksums = new ushort[Headers];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1624);
        for (int i = 0; i < Headers; i++)
        {
            var bytes = _headers.AsSpan(i * HeaderLength, HeaderLength);
            Convert.FromHexString("450000140000400040110000c0a80001c0a800c7").CopyTo(bytes); // header only: total length 20
            BinaryPrimitives.WriteUInt16BigEndian(bytes[4..], (ushort)random.Next(65536)); // identification
            BinaryPrimitives.WriteUInt32BigEndian(bytes[12..], (uint)random.NextInt64(0, 1L << 32));
            BinaryPrimitives.WriteUInt32BigEndian(bytes[16..], (uint)random.NextInt64(0, 1L << 32));
            if (!Ipv4Header.TryCreate(bytes, out var header))
            {
                throw new InvalidOperationException("the template is not a valid IPv4 header");
            }

            header.UpdateChecksum();
            _checksums[i] = header.Checksum;
        }

        Incremental();
        byte[] incremental = (byte[])_headers.Clone();
        FullRecompute();
        for (int i = 0; i < Headers; i++)
        {
            Ipv4Header.TryCreate(_headers.AsSpan(i * HeaderLength, HeaderLength), out var header);
            if (!header.IsChecksumValid || header.TimeToLive != 63 || !_headers.AsSpan().SequenceEqual(incremental))
            {
                throw new InvalidOperationException("the incremental and the full checksum disagree, or the TTL was not decremented");
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Headers)]
    public int Incremental()
    {
        int decremented = 0;
        for (int i = 0; i < Headers; i++)
        {
            var bytes = _headers.AsSpan(i * HeaderLength, HeaderLength);
            Reset(bytes, _checksums[i]);
            Ipv4Header.TryCreate(bytes, out var header);
            decremented += header.TryDecrementTimeToLive() ? 1 : 0;
        }

        return decremented;
    }

    [Benchmark(OperationsPerInvoke = Headers)]
    public int FullRecompute()
    {
        int decremented = 0;
        for (int i = 0; i < Headers; i++)
        {
            var bytes = _headers.AsSpan(i * HeaderLength, HeaderLength);
            Reset(bytes, _checksums[i]);
            Ipv4Header.TryCreate(bytes, out var header);
            if (header.TimeToLive > 1)
            {
                header.TimeToLive--;
                header.UpdateChecksum();
                decremented++;
            }
        }

        return decremented;
    }

    private static void Reset(Span<byte> header, ushort checksum)
    {
        header[8] = 64;
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], checksum);
    }
}
